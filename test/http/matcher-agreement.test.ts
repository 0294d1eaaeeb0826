/**
 * One matcher for stubs and verifications: for any matcher and any (valid) request, a stub with
 * that matcher answers the request exactly when a journal search with that matcher counts it.
 * Property-based (fast-check), against a real double over real sockets.
 */
import fc from 'fast-check';
import type { RequestMatcher, ValueMatcher } from '../../src/control/request-matcher';
import { startEngineDouble, type EngineDouble } from '../../src/index';

let engine: EngineDouble;

beforeAll(async () => {
  engine = await startEngineDouble({ scenario: 'default', seed: 1, log: () => undefined });
});

afterAll(() => engine.close());

const valueMatcher: fc.Arbitrary<ValueMatcher> = fc.oneof(
  fc.constantFrom('NEW', 'AUTOREPLACE', 'x').map((equals) => ({ equals })),
  fc.constantFrom('^A', 'NEW$', 'E').map((pattern) => ({ pattern })),
  fc.constant({ absent: true as const }),
);

const matcher: fc.Arbitrary<RequestMatcher> = fc.record(
  {
    method: fc.constantFrom('GET', 'get', 'DELETE'),
    path: fc.constantFrom('/health', '/v1/apps/*', '/v1/**', '/v1/apps/a1'),
    operationId: fc.constantFrom('GET /health', 'GET /v1/apps/{appId}', 'DELETE /v1/apps/{appId}'),
    query: fc.record({ mode: valueMatcher }),
    headers: fc.record({ 'X-Client': valueMatcher }),
  },
  { requiredKeys: [] },
);

const request = fc.record({
  method: fc.constantFrom('GET', 'DELETE'),
  path: fc.constantFrom('/health', '/v1/apps/a1', '/v1/apps/b2'),
  mode: fc.option(fc.constantFrom('NEW', 'AUTOREPLACE', 'ANEW'), { nil: undefined }),
  client: fc.option(fc.constantFrom('NEW', 'x', 'AUTOREPLACE'), { nil: undefined }),
});

it('a stub answers a request exactly when a verification with the same matcher counts it', async () => {
  await fc.assert(
    fc.asyncProperty(matcher, request, async (m, r) => {
      if (r.method === 'DELETE' && r.path === '/health') return; // no such operation: refused before stubs
      await engine.setStubs([{ request: m, response: { status: 418, body: { stubbed: true } }, contract: 'off' }]);
      await engine.clearJournal();
      const url = `${engine.url}${r.path}${r.mode === undefined ? '' : `?mode=${r.mode}`}`;
      const res = await fetch(url, { method: r.method, headers: r.client === undefined ? {} : { 'x-client': r.client } });
      await res.arrayBuffer();
      const counted = await engine.count(m);
      expect({ stubbed: res.status === 418, counted }).toEqual({ stubbed: counted === 1, counted: res.status === 418 ? 1 : 0 });
    }),
    { numRuns: 60, seed: 16 },
  );
  await engine.resetStubs();
});
