import { errorsOf, newDouble } from '../support/double';
import type { RouteTable } from '../../src/routes/types';
import { startEngineDouble } from '../../src/index';

/** An engine bug on purpose: `version` must be a string, and `saturated` a boolean. */
const brokenHealthcheck: RouteTable = {
  'GET /healthcheck': () => ({ status: 200, body: { version: 12, saturated: 'no' } }),
};

describe('response validation', () => {
  it('strict mode replaces a response that breaks the contract with a 500 naming operation, status and rule', async () => {
    const logged: string[] = [];
    const { http, runtime } = newDouble({ routes: brokenHealthcheck, log: (line) => logged.push(line) });
    const res = await http.get('/healthcheck');
    expect(res.status).toBe(500);
    const errors = errorsOf(res.body);
    expect(errors.map((e) => [e.code, e.meta?.operation, e.meta?.status, e.meta?.rule, e.source?.pointer])).toEqual([
      ['RESPONSE_CONTRACT_VIOLATION', 'GET /healthcheck', 200, 'type', '/version'],
      ['RESPONSE_CONTRACT_VIOLATION', 'GET /healthcheck', 200, 'type', '/saturated'],
    ]);
    expect(errors[0]!.detail).toBe('GET /healthcheck 200 body/version must be string');
    expect(logged).toEqual([expect.stringContaining('contract violation in GET /healthcheck 200')]);
    expect(runtime.journal.violations()).toHaveLength(1);
  });

  it('warn mode sends the response as the handler made it and records the violation', async () => {
    const { http, runtime } = newDouble({ routes: brokenHealthcheck, validation: 'warn' });
    const res = await http.get('/healthcheck');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ version: 12, saturated: 'no' });
    const [entry] = runtime.journal.violations();
    expect(entry).toMatchObject({ operationId: 'GET /healthcheck', status: 200 });
    expect(entry!.responseViolations.map((p) => p.source?.pointer)).toEqual(['/version', '/saturated']);
  });

  it('treats a status the operation does not document as a violation', async () => {
    const { http } = newDouble({ routes: { 'GET /health': () => ({ status: 201 }) } });
    const res = await http.get('/health');
    expect(res.status).toBe(500);
    expect(errorsOf(res.body)[0]).toMatchObject({ meta: { rule: 'status', status: 201 } });
    expect(errorsOf(res.body)[0]!.detail).toBe('GET /health 201: status 201 is not documented (documented: 200)');
  });

  it('checks error answers against the double\'s own ErrorResponse shape', async () => {
    const { http } = newDouble({ routes: { 'GET /health': () => ({ status: 503, body: 'down' }) } });
    const res = await http.get('/health');
    expect(res.status).toBe(500);
    expect(errorsOf(res.body)[0]).toMatchObject({ code: 'RESPONSE_CONTRACT_VIOLATION', meta: { status: 503, rule: 'type' } });
  });

  it('turns a handler that throws into a 500 in the error shape, never a stack trace', async () => {
    const { http } = newDouble({ routes: { 'GET /health': () => { throw new TypeError('boom'); } } });
    const res = await http.get('/health');
    expect(res.status).toBe(500);
    expect(errorsOf(res.body)).toEqual([expect.objectContaining({ code: 'INTERNAL_ERROR', detail: 'boom' })]);
    expect(res.text).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe('a response Node cannot write', () => {
  it('becomes a 500 in the error shape and the double keeps serving', async () => {
    const logged: string[] = [];
    const engine = await startEngineDouble({
      log: (line) => logged.push(line),
      routes: { 'GET /health': () => ({ status: 200, headers: { 'x-broken': 'line\nbreak' } }) },
    });
    try {
      const res = await fetch(`${engine.url}/health`);
      expect(res.status).toBe(500);
      expect(res.headers.get('x-broken')).toBeNull();
      expect(errorsOf(await res.json())[0]).toMatchObject({ code: 'INTERNAL_ERROR', detail: expect.stringContaining('x-broken') });
      expect(logged).toEqual([expect.stringContaining('could not send the response')]);
      expect((await fetch(`${engine.url}/healthcheck`)).status).toBe(200);
    } finally {
      await engine.close();
    }
  });
});
