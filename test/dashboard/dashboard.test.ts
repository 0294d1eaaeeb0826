/**
 * The dashboard (GET /__ui) driven in a real headless Chromium against a double on a real port:
 * traffic appears as it happens, a violation shows its rule and opens with its pointer and the
 * bodies, the coverage grid counts a call, the Worlds view switches a scenario, and the control
 * token guards the page. Every wait is on the page's DOM, never a fixed sleep.
 */
import type { Browser, Page } from 'playwright-core';
import { startEngineDouble, type EngineDouble } from '../../src/index';
import { describeWithBrowser, launchChromium } from '../support/chromium';
import { freshGet } from '../support/raw-http';

const TOKEN = 'ui-Token_3';
/** How long a request may take to show in the table. */
const WITHIN_A_SECOND = 1000;

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

/** Script errors and console errors of the pages opened. */
const pageErrors: string[] = [];

/** A page on the dashboard, its journal stream live. */
async function openDashboard(url: string): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(`${message.text()} (${message.location().url})`);
  });
  const res = await page.goto(url);
  expect(res?.status()).toBe(200);
  await page.locator('#stream-state', { hasText: 'live' }).waitFor();
  return page;
}

describeWithBrowser('the dashboard in Chromium', () => {
  let engine: EngineDouble;
  let page: Page;
  beforeAll(async () => {
    engine = await startEngineDouble({ scenario: 'default', log: () => undefined });
    page = await openDashboard(`${engine.url}/__ui`);
  });
  afterAll(async () => {
    await page?.close();
    await engine?.close();
  });

  it('shows a request made to the double in the traffic table within a second', async () => {
    await fetch(`${engine.url}/v1/apps/first-seen`);
    const row = page.locator('#traffic-table tbody tr', { hasText: '/v1/apps/first-seen' });
    await row.waitFor({ timeout: WITHIN_A_SECOND });
    expect(await row.locator('td').allInnerTexts()).toEqual(expect.arrayContaining(['GET', '/v1/apps/first-seen', 'GET /v1/apps/{appId}', '404', 'default']));
  });

  it('shows the rule of a violation in its row and opens it with pointer, rule and bodies', async () => {
    await fetch(`${engine.url}/v1/apps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ attributes: { name: 42 } }) });
    const row = page.locator('#traffic-table tbody tr.violation', { hasText: 'POST' });
    await row.waitFor({ timeout: WITHIN_A_SECOND });
    await expect(row.locator('td.rule').innerText()).resolves.toBe('type');
    // Keyboard: the row's button opens the detail.
    await row.getByRole('button').focus();
    await page.keyboard.press('Enter');
    const detail = page.locator('#detail');
    await detail.locator('ul.violations li', { hasText: '/attributes/name' }).waitFor();
    const violation = await detail.locator('ul.violations li').first().innerText();
    expect(violation).toContain('type');
    expect(violation).toContain('/attributes/name');
    await detail.locator('pre', { hasText: '"name": 42' }).waitFor();
    await detail.locator('pre', { hasText: 'INVALID_BODY' }).waitFor();
    await page.keyboard.press('Escape');
    await detail.waitFor({ state: 'hidden' });
  });

  it('filters to violations only, and holds new rows while paused', async () => {
    const rows = page.locator('#traffic-table tbody tr');
    await page.getByLabel('Violations only').check();
    await rows.first().waitFor();
    expect(await rows.evaluateAll((trs) => trs.every((tr) => tr.classList.contains('violation')))).toBe(true);
    await page.getByLabel('Violations only').uncheck();
    await page.getByRole('button', { name: 'Pause' }).click();
    await fetch(`${engine.url}/v1/apps/while-paused`);
    await page.locator('#counts', { hasText: 'paused, 1 waiting' }).waitFor();
    expect(await rows.filter({ hasText: '/v1/apps/while-paused' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Resume' }).click();
    await rows.first().filter({ hasText: '/v1/apps/while-paused' }).waitFor();
  });

  it('counts a call in the coverage grid', async () => {
    await page.getByRole('tab', { name: 'Coverage' }).click();
    const cell = '#coverage-grid tr[data-operation="GET /healthcheck"] td[data-status="200"]';
    await page.locator(cell).waitFor();
    const before = Number(await page.locator(cell).innerText());
    await fetch(`${engine.url}/healthcheck`);
    await page.locator(cell, { hasText: new RegExp(`^${before + 1}$`) }).waitFor();
    await expect(page.locator('#coverage-summary').innerText()).resolves.toMatch(/Operations exercised: \d+ of 18/);
  });

  it('switches a scenario from the Worlds view, which changes what /health answers', async () => {
    expect((await fetch(`${engine.url}/health`)).status).toBe(200);
    await page.getByRole('tab', { name: 'Worlds' }).click();
    await page.locator('#w-scenario option[value="busy"]').waitFor({ state: 'attached' });
    await page.getByLabel('Switch to').selectOption('busy');
    await page.getByRole('button', { name: 'Switch', exact: true }).click();
    await page.locator('#w-message', { hasText: 'Switched to busy.' }).waitFor();
    expect((await fetch(`${engine.url}/health`)).status).toBe(429);
    await page.getByRole('button', { name: 'Reset' }).click();
    await page.locator('#w-message', { hasText: 'Reset to the scenario as it started.' }).waitFor();
    await page.locator('#w-current', { hasText: 'runs busy' }).waitFor();
    // The apps of the default scenario, with their media, are listed.
    await page.getByLabel('Switch to').selectOption('media-tree');
    await page.getByRole('button', { name: 'Switch', exact: true }).click();
    await page.locator('#w-apps summary', { hasText: 'Media Library' }).waitFor();
  });

  it('lists the stubs of a namespace as their inputs, and saves an edit through PUT /__control/stubs', async () => {
    const stub = { request: { operationId: 'GET /v1/apps/{appId}' }, response: { status: 200, body: { attributes: { name: 'Stubbed' } } }, priority: 5 };
    const put = await fetch(`${engine.url}/__control/stubs`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ stubs: [stub] }) });
    expect(put.status).toBe(200);
    await page.getByRole('tab', { name: 'Traffic' }).click();
    await page.getByRole('tab', { name: 'Worlds' }).click();
    const editor = page.getByLabel('Stubs (JSON, as GET /__control/stubs lists them)');
    await page.locator('#w-stubs-counts', { hasText: 'applied 0' }).waitFor();
    expect(JSON.parse(await editor.inputValue())).toEqual({ stubs: [stub] });
    await editor.fill(JSON.stringify({ stubs: [{ ...stub, priority: 7 }] }));
    await page.getByRole('button', { name: 'Save stubs' }).click();
    await page.locator('#w-stubs-message', { hasText: 'Stubs saved.' }).waitFor();
    const { stubs } = (await (await fetch(`${engine.url}/__control/stubs`)).json()) as { stubs: { priority: number }[] };
    expect(stubs.map((s) => s.priority)).toEqual([7]);
  });

  it('asks for nothing the double lacks', () => {
    expect(engine.runtime.journal.list().filter((e) => e.status === 404 && !e.path.startsWith('/v1/apps/'))).toEqual([]);
  });
});

describeWithBrowser('the dashboard with a full journal', () => {
  let engine: EngineDouble;
  beforeAll(async () => {
    engine = await startEngineDouble({ log: () => undefined });
  });
  afterAll(() => engine?.close());

  it('replays the 1,000 entries the journal holds, newest on top, and keeps drawing new ones', async () => {
    for (let i = 0; i < 1000; i += 20) await Promise.all(Array.from({ length: 20 }, (_, j) => fetch(`${engine.url}/v1/apps/held-${i + j}`)));
    const page = await openDashboard(`${engine.url}/__ui`);
    try {
      const rows = page.locator('#traffic-table tbody tr');
      await rows.filter({ hasText: '/v1/apps/held-999' }).waitFor();
      // The page keeps 1,000 entries: its own calls (hidden control calls) push the oldest few out.
      expect(await rows.count()).toBeGreaterThan(990);
      await fetch(`${engine.url}/v1/apps/after-the-replay`);
      await rows.first().filter({ hasText: '/v1/apps/after-the-replay' }).waitFor();
    } finally {
      await page.close();
    }
  });
});

describeWithBrowser('the dashboard across a restart of the double', () => {
  it("drops the old run's rows and shows the new journal from its start", async () => {
    const first = await startEngineDouble({ log: () => undefined });
    const port = Number(new URL(first.url).port);
    let second: EngineDouble | undefined;
    const page = await openDashboard(`${first.url}/__ui`);
    try {
      for (let i = 0; i < 5; i += 1) await freshGet(`${first.url}/v1/apps/first-run-${i}`);
      const rows = page.locator('#traffic-table tbody tr');
      await rows.filter({ hasText: '/v1/apps/first-run-4' }).waitFor();
      await first.close();
      await page.locator('#stream-state', { hasText: 'reconnecting' }).waitFor();
      // The new double's entry 1, below the sequence the page would resume after.
      second = await startEngineDouble({ port, log: () => undefined });
      await freshGet(`${second.url}/v1/apps/second-run`);
      await rows.filter({ hasText: '/v1/apps/second-run' }).waitFor();
      expect(await rows.filter({ hasText: '/v1/apps/first-run-' }).count()).toBe(0);
    } finally {
      await page.close();
      await first.close();
      await second?.close();
    }
  });
});

describeWithBrowser('the dashboard with --control-token', () => {
  let engine: EngineDouble;
  beforeAll(async () => {
    engine = await startEngineDouble({ controlToken: TOKEN, log: () => undefined });
  });
  afterAll(() => engine?.close());

  it('is refused without the token, and works with ?token=', async () => {
    const refused = await fetch(`${engine.url}/__ui`);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe('UNAUTHORIZED');
    expect((await fetch(`${engine.url}/__ui?token=${TOKEN}x`)).status).toBe(401);
    expect((await fetch(`${engine.url}/__ui`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    const page = await openDashboard(`${engine.url}/__ui?token=${TOKEN}`);
    await fetch(`${engine.url}/v1/apps/with-token`);
    await page.locator('#traffic-table tbody tr', { hasText: '/v1/apps/with-token' }).waitFor({ timeout: WITHIN_A_SECOND });
    await page.close();
  });
});

describeWithBrowser('every page above', () => {
  it('logged no script or console error', () => {
    expect(pageErrors).toEqual([]);
  });
});
