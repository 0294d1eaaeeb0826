/**
 * Verifying what a client sent: POST /__control/journal/find and /count with each matcher kind,
 * the windows, near misses, and what the journal keeps of bodies (JSON redacted, binary as
 * size + hash, bounds).
 */
import { createHash } from 'node:crypto';
import { startEngineDouble, type EngineDouble } from '../../src/index';
import { NAMESPACE_HEADER } from '../../src/server';
import { errorsOf } from '../support/double';
import { jsonCall } from '../support/json-call';
import { rawRequest } from '../support/raw-http';

const SALES_OVERVIEW = '2f1c5a0e-8b4d-4c1e-9a57-3d6f0b7e2c91';

let engine: EngineDouble;

beforeAll(async () => {
  engine = await startEngineDouble({ scenario: 'default', seed: 1, log: () => undefined, journalBodyLimit: 200 });
});

afterAll(() => engine.close());

beforeEach(async () => {
  await call('DELETE', '/__control/journal');
  await call('POST', '/__control/reset');
});

const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => jsonCall(engine.url, method, path, body, headers);

const find = (matcher: unknown, headers: Record<string, string> = {}) => call('POST', '/__control/journal/find', matcher, headers);
const count = async (matcher: unknown) => (await call('POST', '/__control/journal/count', matcher)).body.count as number;

async function importApp(query: string, document: unknown, headers: Record<string, string> = {}) {
  return call('POST', `/v1/apps/import${query}`, JSON.stringify(document), { 'content-type': 'application/octet-stream', ...headers });
}

describe('POST /__control/journal/find and /count', () => {
  it('matches by operation id, by method + path pattern, and counts', async () => {
    await call('GET', `/v1/apps/${SALES_OVERVIEW}`);
    await call('GET', `/v1/apps/${SALES_OVERVIEW}`);
    await call('DELETE', '/v1/apps/nope');
    expect(await count({ operationId: 'GET /v1/apps/{appId}' })).toBe(2);
    expect(await count({ method: 'get', path: '/v1/apps/*' })).toBe(2);
    expect(await count({ method: 'DELETE', path: '/v1/**' })).toBe(1);
    // The test's own control calls (DELETE /__control/journal) are left out unless asked for.
    expect(await count({ method: 'DELETE' })).toBe(1);
    expect(await count({ method: 'DELETE', path: '/__control/**' })).toBe(1);
    expect(await count({ path: '/v1/**' })).toBe(3);
    const found = await find({ operationId: 'DELETE /v1/apps/{appId}', status: 404 });
    expect(found.status).toBe(200);
    expect(found.body.count).toBe(1);
    expect(found.body.entries[0]).toMatchObject({ method: 'DELETE', path: '/v1/apps/nope', status: 404 });
    expect(found.body.nearMisses).toEqual([]);
  });

  it('matches query parameters with equals, pattern and absent', async () => {
    await importApp('?mode=AUTOREPLACE&name=First', { attributes: { id: 'x-1', name: 'a' } });
    await importApp('?name=Second', { attributes: { name: 'b' } });
    expect(await count({ operationId: 'POST /v1/apps/import', query: { mode: { equals: 'AUTOREPLACE' } } })).toBe(1);
    expect(await count({ operationId: 'POST /v1/apps/import', query: { name: { pattern: '^(First|Second)$' } } })).toBe(2);
    expect(await count({ operationId: 'POST /v1/apps/import', query: { mode: { absent: true } } })).toBe(1);
    expect(await count({ operationId: 'POST /v1/apps/import', query: { mode: { equals: 'NEW' } } })).toBe(0);
  });

  it('matches headers in any case, and stores credentials redacted (the scheme kept)', async () => {
    await call('GET', '/health', undefined, { authorization: 'Bearer very-secret', 'X-Client': 'mashup/1.2' });
    expect(await count({ path: '/health', headers: { 'x-client': { pattern: '^mashup/' } } })).toBe(1);
    expect(await count({ path: '/health', headers: { 'X-CLIENT': { equals: 'mashup/1.2' } } })).toBe(1);
    expect(await count({ path: '/health', headers: { 'x-other': { absent: true } } })).toBe(1);
    expect(await count({ path: '/health', headers: { authorization: { pattern: '^Bearer ' } } })).toBe(1);
    const { body } = await find({ path: '/health' });
    expect(body.entries[0].request.headers.authorization).toBe('Bearer [REDACTED]');
    expect(JSON.stringify(body)).not.toContain('very-secret');
  });

  it('matches JSON bodies by subset, JSON pointer and pattern', async () => {
    await call('POST', '/v1/apps', { attributes: { name: 'Budget', description: 'FY26' } });
    await call('PUT', `/v1/apps/${SALES_OVERVIEW}`, { attributes: { name: 'Renamed', description: 'password inside' } });
    expect(await count({ body: { subset: { attributes: { name: 'Budget' } } } })).toBe(1);
    expect(await count({ body: { pointers: { '/attributes/name': 'Renamed' } } })).toBe(1);
    expect(await count({ body: { pointers: { '/attributes/missing': 'x' } } })).toBe(0);
    expect(await count({ body: { pattern: 'FY\\d+' } })).toBe(1);
    expect(await count({ operationId: 'PUT /v1/apps/{appId}', body: { subset: { attributes: { name: 'Budget' } } } })).toBe(0);
  });

  it('keeps a binary body as size and SHA-256, which a matcher can test', async () => {
    const bytes = Buffer.from([0, 1, 2, 3, 255]);
    const res = await call('PUT', `/v1/apps/${SALES_OVERVIEW}/media/files/images/x.png`, bytes, { 'content-type': 'application/octet-stream' });
    expect(res.status).toBe(200);
    const hash = createHash('sha256').update(bytes).digest('hex');
    const { body } = await find({ method: 'PUT', path: '/v1/apps/*/media/files/**', body: { sha256: hash } });
    expect(body.count).toBe(1);
    expect(body.entries[0].request.body).toEqual({ size: 5, sha256: hash, omitted: 'binary' });
  });

  it('keeps a JSON body over --journal-body-limit as size and hash only, and says why a body matcher cannot see it', async () => {
    await call('POST', '/v1/apps', { attributes: { name: 'x'.repeat(300) } });
    const { body } = await find({ operationId: 'POST /v1/apps', body: { subset: { attributes: {} } } });
    expect(body.count).toBe(0);
    expect(body.nearMisses[0].entry.request.body).toMatchObject({ omitted: 'tooLarge' });
    expect(body.nearMisses[0].differences).toEqual([{ field: 'body', expected: 'a JSON body', actual: expect.stringContaining('tooLarge') }]);
  });

  it('hashes and measures a JSON body over --journal-body-limit as the bytes sent, with Content-Length or chunked', async () => {
    // Pretty-printed, so the bytes sent differ from the parsed value serialised again.
    const sent = Buffer.from(JSON.stringify({ attributes: { name: 'x'.repeat(300) } }, null, 2));
    const hash = createHash('sha256').update(sent).digest('hex');
    const sendings: Record<string, string>[] = [{ 'content-length': String(sent.length) }, { 'transfer-encoding': 'chunked' }];
    for (const framing of sendings) {
      expect((await rawRequest(engine.url, 'POST', '/v1/apps', sent, { 'content-type': 'application/json', ...framing })).status).toBe(200);
    }
    const { body } = await find({ operationId: 'POST /v1/apps', body: { sha256: hash } });
    expect(body.count).toBe(2);
    for (const entry of body.entries) expect(entry.request.body).toEqual({ size: sent.length, sha256: hash, omitted: 'tooLarge' });
  });

  it('searches one namespace (the header\'s, or the matcher\'s), within a sequence and time window', async () => {
    const other = { [NAMESPACE_HEADER]: 'verify-other' };
    await call('GET', '/health', undefined, other);
    const { body: first } = await find({ path: '/health' }, other);
    const sequence = first.entries[0].sequence as number;
    await call('GET', '/health', undefined, other);
    expect(await count({ path: '/health' })).toBe(0);
    expect(await count({ path: '/health', namespace: 'verify-other' })).toBe(2);
    expect(await count({ path: '/health', namespace: 'verify-other', afterSequence: sequence })).toBe(1);
    expect(await count({ path: '/health', namespace: 'verify-other', beforeSequence: sequence + 1 })).toBe(1);
    expect(await count({ path: '/health', namespace: 'verify-other', since: new Date(Date.now() + 60_000).toISOString() })).toBe(0);
    expect(await count({ path: '/health', namespace: 'verify-other', until: new Date(Date.now() + 60_000).toISOString() })).toBe(2);
  });

  it('answers near misses when nothing matched: nearest first, with what differed', async () => {
    await importApp('?mode=NEW', { attributes: { name: 'a' } });
    await call('GET', '/health');
    const { body } = await find({ operationId: 'POST /v1/apps/import', query: { mode: { equals: 'AUTOREPLACE' } } });
    expect(body.count).toBe(0);
    expect(body.nearMisses.length).toBeGreaterThanOrEqual(2);
    expect(body.nearMisses[0]).toMatchObject({ distance: 1, differences: [{ field: 'query.mode', expected: '"AUTOREPLACE"', actual: '"NEW"' }] });
    expect(body.nearMisses[0].entry.path).toBe('/v1/apps/import?mode=NEW');
    expect(body.nearMisses[1].distance).toBeGreaterThan(1);
  });

  it('refuses matchers that cannot apply, with pointer and rule', async () => {
    const res = await find({
      operationId: 'GET /v1/app',
      path: 'v1/apps',
      query: { mode: { pattern: '(a+)+$' } },
      body: { pattern: '(', pointers: { 'no-slash': 1 } },
    });
    expect(res.status).toBe(400);
    const rules = errorsOf(res.body).map((e) => [e.code, e.source?.pointer, e.meta?.rule]);
    expect(rules).toEqual(
      expect.arrayContaining([
        ['INVALID_MATCHER', '/operationId', 'operation'],
        ['INVALID_MATCHER', '/path', 'pathPattern'],
        ['INVALID_MATCHER', '/query/mode/pattern', 'safeRegex'],
        ['INVALID_MATCHER', '/body/pattern', 'regex'],
        ['INVALID_MATCHER', '/body/pointers', 'jsonPointer'],
      ]),
    );
    const schema = await find({ query: { mode: { equals: 'a', absent: true } }, unknown: 1 });
    expect(schema.status).toBe(400);
    expect(errorsOf(schema.body).every((e) => e.code === 'INVALID_BODY')).toBe(true);
  });
});
