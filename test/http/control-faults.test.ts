import { startEngineDouble, type EngineDouble } from '../../src/index';
import { loadScenario } from '../../src/scenarios/registry';
import { NAMESPACE_HEADER } from '../../src/server';
import { errorsOf } from '../support/double';
import { rawRequest } from '../support/raw-http';
import { jsonCall } from '../support/json-call';

const SALES_OVERVIEW = '2f1c5a0e-8b4d-4c1e-9a57-3d6f0b7e2c91';

let engine: EngineDouble;

beforeAll(async () => {
  engine = await startEngineDouble({ scenario: loadScenario('default'), log: () => undefined });
});

afterAll(() => engine.close());

afterEach(async () => {
  await call('DELETE', '/__control/faults');
  await call('POST', '/__control/reset');
});

const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => jsonCall(engine.url, method, path, body, headers);

async function setFaults(rules: unknown[], headers: Record<string, string> = {}) {
  const res = await call('PUT', '/__control/faults', { rules }, headers);
  expect(res.status).toBe(200);
  return res.body as { rules: { id: number }[] };
}

describe('PUT /__control/faults', () => {
  it('delays matching requests by at least the latency, then handles them normally', async () => {
    await setFaults([{ method: 'GET', path: '/v1/apps/*', latencyMs: 300 }]);
    const started = performance.now();
    const res = await call('GET', `/v1/apps/${SALES_OVERVIEW}`);
    const elapsed = performance.now() - started;
    expect(res.status).toBe(200);
    expect((res.body as { attributes: { name: string } }).attributes.name).toBe('Sales Overview');
    expect(elapsed).toBeGreaterThanOrEqual(300);
  });

  it('answers the rule\'s status in the error shape with INJECTED_FAULT, without touching state', async () => {
    const [rule] = (await setFaults([{ method: 'POST', path: '/v1/apps', status: 503 }])).rules;
    const res = await call('POST', '/v1/apps', { attributes: { name: 'Never made' } });
    expect(res.status).toBe(503);
    const [error] = errorsOf(res.body);
    expect(error).toMatchObject({ code: 'INJECTED_FAULT', status: '503', meta: { faultRule: rule!.id } });
    const state = (await call('GET', '/__control/state')).body as { apps: { attributes: { name: string } }[] };
    expect(state.apps.map((a) => a.attributes.name)).not.toContain('Never made');
    expect((await call('GET', '/health')).status).toBe(200);
  });

  it('applies a counted rule to the next N matching requests only, then expires it', async () => {
    await setFaults([{ path: '/health', status: 500, count: 2 }]);
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await call('GET', '/health')).status);
    expect(statuses).toEqual([500, 500, 200]);
    expect((await call('GET', '/__control/faults')).body).toEqual({ rules: [] });
  });

  it('lists active rules with what they applied and what remains', async () => {
    await setFaults([
      { path: '/health', status: 500, count: 3 },
      { method: 'DELETE', path: '/v1/apps/**', drop: true },
    ]);
    await call('GET', '/health');
    const listed = (await call('GET', '/__control/faults')).body as { rules: unknown[] };
    expect(listed.rules).toEqual([
      { id: expect.any(Number), path: '/health', status: 500, count: 3, remaining: 2, applied: 1 },
      { id: expect.any(Number), method: 'DELETE', path: '/v1/apps/**', drop: true, applied: 0 },
    ]);
  });

  it('drops the connection without an answer: the client sees a socket error, and the state is untouched', async () => {
    await setFaults([{ method: 'DELETE', path: '/v1/apps/*', drop: true, count: 1 }]);
    const error = await rawRequest(engine.url, 'DELETE', `/v1/apps/${SALES_OVERVIEW}`).then(
      () => undefined,
      (e: NodeJS.ErrnoException) => e,
    );
    expect(error?.code).toBe('ECONNRESET');
    expect((await call('GET', `/v1/apps/${SALES_OVERVIEW}`)).status).toBe(200);
  });

  it('never applies to control calls, so the rules can always be cleared', async () => {
    await setFaults([{ path: '/**', status: 500 }]);
    expect((await call('GET', '/healthcheck')).status).toBe(500);
    expect((await call('GET', '/__control/faults')).status).toBe(200);
    expect((await call('DELETE', '/__control/faults')).status).toBe(204);
    expect((await call('GET', '/healthcheck')).status).toBe(200);
  });

  it('applies only in the namespace that set it', async () => {
    await setFaults([{ path: '/health', status: 500 }], { [NAMESPACE_HEADER]: 'flaky' });
    expect((await call('GET', '/health', undefined, { [NAMESPACE_HEADER]: 'flaky' })).status).toBe(500);
    expect((await call('GET', '/health', undefined, { [NAMESPACE_HEADER]: 'steady' })).status).toBe(200);
    expect((await call('GET', '/health')).status).toBe(200);
    await call('DELETE', '/__control/faults', undefined, { [NAMESPACE_HEADER]: 'flaky' });
  });

  it('journals a faulted request with the rule, and a dropped one without a status', async () => {
    await call('DELETE', '/__control/journal');
    const { rules } = await setFaults([
      { path: '/health', status: 502, count: 1 },
      { path: '/healthcheck', drop: true, count: 1 },
    ]);
    await call('GET', '/health');
    await rawRequest(engine.url, 'GET', '/healthcheck').catch(() => undefined);
    const { entries } = (await call('GET', '/__control/journal')).body as { entries: Record<string, unknown>[] };
    const engineEntries = entries.filter((e) => e.operationId === 'GET /health' || e.operationId === 'GET /healthcheck');
    expect(engineEntries).toEqual([
      expect.objectContaining({ operationId: 'GET /health', status: 502, fault: { id: rules[0]!.id, path: '/health', status: 502, count: 1 }, responseViolations: [] }),
      expect.objectContaining({ operationId: 'GET /healthcheck', fault: { id: rules[1]!.id, path: '/healthcheck', drop: true, count: 1 } }),
    ]);
    expect(engineEntries[1]).not.toHaveProperty('status');
  });

  describe('refuses rules it cannot apply, with 400 naming the rule and field, keeping the rules it had', () => {
    it.each([
      ['a status outside 400-599', { path: '/health', status: 302 }, 'INVALID_BODY', '/rules/0/status', 'minimum'],
      ['a status over 599', { path: '/health', status: 600 }, 'INVALID_BODY', '/rules/0/status', 'maximum'],
      ['a negative latency', { path: '/health', latencyMs: -1 }, 'INVALID_BODY', '/rules/0/latencyMs', 'minimum'],
      ['a latency over 60 s', { path: '/health', latencyMs: 60_001 }, 'INVALID_BODY', '/rules/0/latencyMs', 'maximum'],
      ['a count of 0', { path: '/health', status: 500, count: 0 }, 'INVALID_BODY', '/rules/0/count', 'minimum'],
      ['an unknown method', { method: 'FETCH', path: '/health', status: 500 }, 'INVALID_BODY', '/rules/0/method', 'enum'],
      ['an unknown field', { path: '/health', status: 500, delay: 5 }, 'INVALID_BODY', '/rules/0', 'additionalProperties'],
      ['a pattern without a leading slash', { path: 'v1/apps', status: 500 }, 'INVALID_FAULT_RULE', '/rules/0/path', 'pathPattern'],
      ['a pattern with a query', { path: '/v1/apps?x=1', status: 500 }, 'INVALID_FAULT_RULE', '/rules/0/path', 'pathPattern'],
      ['"**" inside a segment', { path: '/v1/apps**', status: 500 }, 'INVALID_FAULT_RULE', '/rules/0/path', 'pathPattern'],
      ['a rule without effect', { path: '/health' }, 'INVALID_FAULT_RULE', '/rules/0', 'effect'],
      ['a status with a drop', { path: '/health', status: 500, drop: true }, 'INVALID_FAULT_RULE', '/rules/0/drop', 'effect'],
    ])('%s', async (_what, rule, code, pointer, ruleName) => {
      await setFaults([{ path: '/healthcheck', latencyMs: 1 }]);
      const res = await call('PUT', '/__control/faults', { rules: [rule] });
      expect(res.status).toBe(400);
      const errors = errorsOf(res.body);
      expect(errors).toContainEqual(expect.objectContaining({ code, source: { pointer }, meta: expect.objectContaining({ rule: ruleName }) }));
      const kept = (await call('GET', '/__control/faults')).body as { rules: { path: string }[] };
      expect(kept.rules.map((r) => r.path)).toEqual(['/healthcheck']);
    });
  });
});
