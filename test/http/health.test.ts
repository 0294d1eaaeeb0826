import { errorsOf, newDouble } from '../support/double';
import { loadContract } from '../../src/spec/contract';

const validHealthcheck = loadContract().operation('GET /healthcheck').responseValidators['200'];

describe('GET /health', () => {
  it('answers 200 with no body on a healthy engine', async () => {
    const res = await newDouble().http.get('/health');
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
  });

  it('answers 429 ENGINE_BUSY when the scenario has the engine busy', async () => {
    const res = await newDouble({ scenario: { name: 'busy', condition: 'busy' } }).http.get('/health');
    expect(res.status).toBe(429);
    expect(errorsOf(res.body)[0]!.code).toBe('ENGINE_BUSY');
  });

  it('answers 503 ENGINE_UNHEALTHY when the scenario has the engine unhealthy', async () => {
    const res = await newDouble({ scenario: { name: 'unhealthy', condition: 'unhealthy' } }).http.get('/health');
    expect(res.status).toBe(503);
    expect(errorsOf(res.body)[0]!.code).toBe('ENGINE_UNHEALTHY');
  });
});

describe('GET /healthcheck', () => {
  it('reports version, boot time in the engine\'s compact form, and live process figures', async () => {
    const { http, runtime } = newDouble();
    const res = await http.get('/healthcheck');
    expect(res.status).toBe(200);
    expect(typeof validHealthcheck === 'function' && validHealthcheck(res.body)).toBe(true);
    expect(res.body.version).toBe('12.268.0');
    expect(res.body.started).toMatch(/^\d{8}T\d{6}\.\d{3}Z$/);
    expect(res.body.started).toBe(runtime.stats.startedAt.toISOString().replace(/[-:]/g, ''));
    expect(res.body.mem.committed).toBeGreaterThan(10);
    expect(res.body.mem.allocated).toBeGreaterThan(1);
    expect(res.body.mem.free).toBeGreaterThan(0);
    expect(res.body.cpu.total).toBeGreaterThanOrEqual(0);
    expect(res.body.cpu.total).toBeLessThanOrEqual(100);
    expect(res.body.saturated).toBe(false);
  });

  it('counts every request served in apps.calls, refused ones included', async () => {
    const { http } = newDouble();
    const first = await http.get('/healthcheck');
    await http.get('/nowhere');
    await http.get('/health');
    const second = await http.get('/healthcheck');
    expect(second.body.apps.calls - first.body.apps.calls).toBe(3);
  });

  it('reports saturated on a busy engine', async () => {
    const res = await newDouble({ scenario: { name: 'busy', condition: 'busy' } }).http.get('/healthcheck');
    expect(res.status).toBe(200);
    expect(res.body.saturated).toBe(true);
  });
});
