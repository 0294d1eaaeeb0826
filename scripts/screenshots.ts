/**
 * `npm run screenshots`: the dashboard's pictures in docs/, taken from a real run so they can be
 * made again after the page changes. It starts the built double, sends it some traffic (a contract
 * violation and an injected fault among it), opens GET /__ui in headless Chromium and saves:
 *   docs/dashboard-traffic.png   the traffic table with the violation opened
 *   docs/dashboard-coverage.png  the coverage grid
 *   docs/dashboard-worlds.png    a namespace's world
 *   docs/dashboard-health.png    the health view
 */
import path from 'node:path';
import { launchChromium } from '../test/support/chromium';

/** This file runs compiled, from .tmp/scripts/scripts. */
const ROOT = path.join(__dirname, '..', '..', '..');
const DOCS = path.join(ROOT, 'docs');
// The built double, as users run it.
const { startEngineDouble } = require(path.join(ROOT, 'dist', 'src', 'index')) as typeof import('../dist/src/index');
const SALES_OVERVIEW = '2f1c5a0e-8b4d-4c1e-9a57-3d6f0b7e2c91';

async function main(): Promise<void> {
  const engine = await startEngineDouble({ scenario: 'default', seed: 1, log: () => undefined });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
    await page.goto(`${engine.url}/__ui`);
    await page.locator('#stream-state', { hasText: 'live' }).waitFor();

    const call = (pathname: string, init: RequestInit = {}) => fetch(`${engine.url}${pathname}`, init);
    const json = (method: string, body: unknown, headers: Record<string, string> = {}): RequestInit => ({ method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    await call('/health');
    await call('/healthcheck');
    await call('/v1/apps');
    await call(`/v1/apps/${SALES_OVERVIEW}`);
    await call(`/v1/apps/${SALES_OVERVIEW}/media/list`);
    await call('/v1/apps', json('POST', { attributes: { name: 'Quarterly report' } }));
    await call('/v1/apps/does-not-exist');
    await call('/v1/apps', json('POST', { attributes: { name: 'Team', description: 'for the team' } }, { 'x-engine-double-namespace': 'worker-2' }));
    await call('/__control/faults', json('PUT', { rules: [{ method: 'GET', path: '/v1/apps/*/data/metadata', status: 503, count: 1 }] }));
    await call(`/v1/apps/${SALES_OVERVIEW}/data/metadata`);
    await call(`/v1/apps/${SALES_OVERVIEW}/data/metadata`);
    await call('/v1/apps', json('POST', { attributes: { name: 42, modifiedByUserName: true } }));

    const violation = page.locator('#traffic-table tbody tr.violation', { hasText: 'POST' }).first();
    await violation.waitFor();
    await violation.getByRole('button').click();
    await page.locator('#detail pre', { hasText: '"name": 42' }).waitFor();
    await page.screenshot({ path: path.join(DOCS, 'dashboard-traffic.png') });

    await page.getByRole('tab', { name: 'Coverage' }).click();
    await page.locator('#coverage-grid tr[data-operation="GET /health"]').waitFor();
    await page.screenshot({ path: path.join(DOCS, 'dashboard-coverage.png') });

    await page.getByRole('tab', { name: 'Worlds' }).click();
    await page.locator('#w-apps summary').first().waitFor();
    await page.locator('#w-apps summary').first().click();
    await page.screenshot({ path: path.join(DOCS, 'dashboard-worlds.png') });

    await page.getByRole('tab', { name: 'Health' }).click();
    await page.getByRole('button', { name: 'Ask /healthcheck' }).click();
    await page.locator('#h-figures .figure').first().waitFor();
    await page.locator('#h-conditions td.condition', { hasText: 'healthy' }).first().waitFor();
    await page.screenshot({ path: path.join(DOCS, 'dashboard-health.png') });

    // The same page in a phone-sized window.
    await page.setViewportSize({ width: 390, height: 800 });
    await page.getByRole('tab', { name: 'Traffic' }).click();
    await page.screenshot({ path: path.join(DOCS, 'dashboard-narrow.png') });
    process.stdout.write(`screenshots written to ${DOCS}\n`);
  } finally {
    await browser.close();
    await engine.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`screenshots: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
