import { startEngineDouble, stripBasePath, type EngineDouble } from '../../src/index';
import { normaliseBasePath } from '../../src/base-path';
import { DoubleRuntime } from '../../src/server';
import { errorsOf } from '../support/double';

describe('a base path (the engine behind an ingress)', () => {
  let engine: EngineDouble;
  let origin: string;
  beforeAll(async () => {
    engine = await startEngineDouble({ scenario: 'default', basePath: '/api', metrics: { port: 0 }, log: () => undefined });
    origin = `http://127.0.0.1:${engine.port}`;
  });
  afterAll(() => engine.close());

  it('serves every engine operation under the prefix, and says so for a path without it', async () => {
    expect(engine.url).toBe(`${origin}/api`);
    const created = await fetch(`${origin}/api/v1/apps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"attributes":{"name":"behind ingress"}}' });
    expect(created.status).toBe(200);
    const id = ((await created.json()) as { attributes: { id: string } }).attributes.id;
    expect((await fetch(`${origin}/api/v1/apps/${id}`)).status).toBe(200);
    expect((await fetch(`${origin}/api/healthcheck`)).status).toBe(200);
    const bare = await fetch(`${origin}/v1/apps/${id}`);
    expect(bare.status).toBe(404);
    const [entry] = errorsOf(await bare.json());
    expect(entry).toMatchObject({ code: 'ROUTE_NOT_FOUND', meta: { basePath: '/api', suggestion: `GET /api/v1/apps/${id}` } });
    expect(entry!.detail).toContain('base path /api');
  });

  it('keeps the control API at /__control, and answers it under the prefix too', async () => {
    expect((await fetch(`${origin}/__control/scenarios`)).status).toBe(200);
    const prefixed = await fetch(`${origin}/api/__control/scenarios`);
    expect(prefixed.status).toBe(200);
    expect(await prefixed.json()).toMatchObject({ current: { name: 'default' } });
  });

  it('matches fault rules on the path without the prefix, and journals the path as sent', async () => {
    await engine.setFaults([{ path: '/health', status: 503, count: 1 }]);
    expect((await fetch(`${origin}/api/health`)).status).toBe(503);
    const [entry] = await engine.journal({ limit: 1 });
    expect(entry).toMatchObject({ path: '/api/health', operationId: 'GET /health', status: 503 });
  });

  it('serves the metrics under the prefix as well', async () => {
    expect(engine.metricsUrl).toMatch(/\/api\/metrics$/);
    expect((await fetch(engine.metricsUrl!)).status).toBe(200);
    expect((await fetch(engine.metricsUrl!.replace('/api/metrics', '/metrics'))).status).toBe(200);
  });

  it('is one function another door can use', () => {
    expect(stripBasePath('/api', '/api/app/engineData')).toBe('/app/engineData');
    expect(stripBasePath('/api', '/api')).toBe('/');
    expect(stripBasePath('/api', '/apix/v1')).toBeUndefined();
    expect(stripBasePath('', '/v1/apps')).toBe('/v1/apps');
  });

  it('refuses a prefix that is no path, or hides the control API', () => {
    expect(normaliseBasePath('/engine/')).toBe('/engine');
    expect(normaliseBasePath('/')).toBe('');
    expect(() => normaliseBasePath('api')).toThrow('must look like /api');
    expect(() => normaliseBasePath('/a b')).toThrow('must look like /api');
    expect(() => normaliseBasePath('/__control')).toThrow('control API');
    expect(() => new DoubleRuntime({ basePath: '/api', proxy: { target: 'http://127.0.0.1:1' } })).toThrow('proxy mode');
  });
});

describe('404 hints under a base path', () => {
  it('name the path as sent and suggest the nearest operation with the prefix', async () => {
    const engine = await startEngineDouble({ basePath: '/engine', log: () => undefined });
    try {
      const response = await fetch(`${engine.url}/v1/appz/abc`);
      expect(response.status).toBe(404);
      const [entry] = errorsOf(await response.json());
      expect(entry!.detail).toContain('GET /engine/v1/appz/abc');
      expect(entry!.meta).toEqual({ basePath: '/engine', suggestion: 'GET /engine/v1/apps/{appId}' });
      const journal = await engine.journal({ limit: 1 });
      expect(journal[0]!.requestViolations[0]).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
    } finally {
      await engine.close();
    }
  });
});
