/**
 * CORS: preflights answered on the engine and control APIs, headers on answers, --cors-origin
 * and --no-cors; and a real browser (headless Chromium) calling the double from a page served on
 * another origin, preflighted JSON calls with the namespace header included.
 */
import { startEngineDouble, type EngineDouble } from '../../src/index';
import { describeWithBrowser, launchChromium } from '../support/chromium';
import { localServer, type LocalServer } from '../support/local-server';

const PAGE_ORIGIN = 'http://page.example:5173';

function preflight(url: string, origin: string, method: string, headers = 'content-type,x-engine-double-namespace') {
  return fetch(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers } });
}

describe('CORS, by default any origin', () => {
  let engine: EngineDouble;
  beforeAll(async () => {
    engine = await startEngineDouble({ log: () => undefined });
  });
  afterAll(() => engine.close());

  it.each([
    ['the engine API', '/v1/apps', 'POST'],
    ['the control API', '/__control/journal/find', 'POST'],
    ['a media path', '/v1/apps/a/media/files/x.png', 'PUT'],
  ])('answers a preflight on %s with 204 and the allowing headers, without journaling it', async (_name, path, method) => {
    await engine.clearJournal();
    const res = await preflight(`${engine.url}${path}`, PAGE_ORIGIN, method);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(PAGE_ORIGIN);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-allow-methods')).toContain(method);
    expect(res.headers.get('access-control-allow-headers')).toBe('content-type,x-engine-double-namespace');
    expect(res.headers.get('access-control-max-age')).toBe('600');
    expect(res.headers.get('vary')).toMatch(/Origin/);
    expect(await engine.journal()).toEqual([]);
  });

  it('adds the headers to answers, errors included, and exposes the ones a page needs', async () => {
    const ok = await fetch(`${engine.url}/health`, { headers: { origin: PAGE_ORIGIN } });
    expect(ok.headers.get('access-control-allow-origin')).toBe(PAGE_ORIGIN);
    expect(ok.headers.get('access-control-expose-headers')).toContain('WWW-Authenticate');
    const missing = await fetch(`${engine.url}/v1/apps/nope`, { headers: { origin: PAGE_ORIGIN } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('access-control-allow-origin')).toBe(PAGE_ORIGIN);
  });
});

describe('CORS in proxy mode', () => {
  it('adds the headers to the engine\'s answer and keeps its repeated headers', async () => {
    const real = await localServer((_request, res) => {
      res.writeHead(200, [
        ['Set-Cookie', 'a=1'],
        ['Set-Cookie', 'b=2'],
        ['Content-Type', 'application/json'],
      ]);
      res.end('{"version":"12.268.0"}');
    });
    const engine = await startEngineDouble({ proxy: { target: real.url }, log: () => undefined });
    try {
      const res = await fetch(`${engine.url}/healthcheck`, { headers: { origin: PAGE_ORIGIN } });
      expect(res.headers.get('access-control-allow-origin')).toBe(PAGE_ORIGIN);
      expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    } finally {
      await engine.close();
      await real.close();
    }
  });
});

describe('--cors-origin and --no-cors', () => {
  it('allows only the listed origins', async () => {
    const engine = await startEngineDouble({ log: () => undefined, cors: [PAGE_ORIGIN] });
    try {
      expect((await preflight(`${engine.url}/v1/apps`, PAGE_ORIGIN, 'POST')).headers.get('access-control-allow-origin')).toBe(PAGE_ORIGIN);
      const other = await preflight(`${engine.url}/v1/apps`, 'http://evil.example', 'POST');
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
      expect((await fetch(`${engine.url}/health`, { headers: { origin: 'http://evil.example' } })).headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await engine.close();
    }
  });

  it('refuses an origin that is not one', async () => {
    await expect(startEngineDouble({ log: () => undefined, cors: ['http://page.example/'] })).rejects.toThrow(/write it as http:\/\/page\.example/);
  });

  it('turned off, answers OPTIONS with the contract\'s 405 and adds no headers', async () => {
    const engine = await startEngineDouble({ log: () => undefined, cors: false });
    try {
      const res = await preflight(`${engine.url}/v1/apps`, PAGE_ORIGIN, 'POST');
      expect(res.status).toBe(405);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await engine.close();
    }
  });
});

describeWithBrowser('a browser page on another origin', () => {
  let engine: EngineDouble;
  let page: LocalServer;
  beforeAll(async () => {
    engine = await startEngineDouble({ scenario: 'default', seed: 1, log: () => undefined });
    // Another port is another origin: the page at page.url calls the double at engine.url.
    page = await localServer((_request, res) => {
      res.setHeader('content-type', 'text/html');
      res.end('<!doctype html><title>mashup</title>');
    });
  });
  afterAll(async () => {
    await page.close();
    await engine.close();
  });

  it('creates an app in a namespace and verifies it through the control API, from headless Chromium', async () => {
    const browser = await launchChromium();
    try {
      const tab = await browser.newPage();
      await tab.goto(page.url);
      const results = await tab.evaluate(async (double) => {
        const headers = { 'content-type': 'application/json', 'x-engine-double-namespace': 'browser' };
        const created = await fetch(`${double}/v1/apps`, { method: 'POST', headers, body: JSON.stringify({ attributes: { name: 'From the browser' } }) });
        const app = (await created.json()) as { attributes: { name: string } };
        const found = await fetch(`${double}/__control/journal/count`, { method: 'POST', headers, body: JSON.stringify({ operationId: 'POST /v1/apps', body: { subset: { attributes: { name: 'From the browser' } } } }) });
        return { origin: (globalThis as unknown as { location: { origin: string } }).location.origin, created: created.status, name: app.attributes.name, count: ((await found.json()) as { count: number }).count };
      }, engine.url);
      expect(results.origin).not.toBe(new URL(engine.url).origin);
      expect(results).toMatchObject({ created: 200, name: 'From the browser', count: 1 });
      expect(await engine.namespace('browser').count({ operationId: 'POST /v1/apps' })).toBe(1);

      // The same call to a double without CORS is blocked by the browser: the page sees a network error.
      const closed = await startEngineDouble({ log: () => undefined, cors: false });
      try {
        const blocked = await tab.evaluate(async (double) => {
          try {
            await fetch(`${double}/v1/apps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
            return 'answered';
          } catch (error) {
            return (error as Error).name;
          }
        }, closed.url);
        expect(blocked).toBe('TypeError');
      } finally {
        await closed.close();
      }
    } finally {
      await browser.close();
    }
  });
});
