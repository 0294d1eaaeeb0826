/**
 * Issue 12's attacks, each as a regression test: what a hostile client sent, what the double must
 * answer, and that the world and the process survive it.
 */
import net from 'node:net';
import { once } from 'node:events';
import { MAX_ERROR_ENTRIES } from '../../src/errors';
import { startEngineDouble, type EngineDouble } from '../../src/index';
import { loadScenario } from '../../src/scenarios/registry';
import { FULL_REPORT_MAX_VALUES } from '../../src/spec/validator-pool';
import { MAX_JSON_DEPTH } from '../../src/validation/json-limits';
import { errorsOf } from '../support/double';
import { rawRequest } from '../support/raw-http';

let engine: EngineDouble;

beforeAll(async () => {
  engine = await startEngineDouble({ scenario: loadScenario('default'), log: () => undefined });
});

afterAll(() => engine.close());

afterEach(async () => {
  await send('POST', '/__control/reset');
});

async function send(method: string, path: string, body?: string | Buffer, contentType = 'application/json') {
  const res = await fetch(`${engine.url}${path}`, { method, ...(body !== undefined ? { body, headers: { 'content-type': contentType } } : {}) });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) as unknown };
}

const world = () => JSON.stringify(engine.runtime.model().toScenario());

/** `{"a":{"a":…{}…}}` nested `depth` objects deep. */
const nested = (depth: number) => `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;

describe('item 1: no request makes an answer or the journal grow with its size', () => {
  it(`a 100,000-item array of wrong fault rules gets a small 400 that lists at most ${MAX_ERROR_ENTRIES} problems and counts the rest`, async () => {
    const body = JSON.stringify({ rules: new Array(100_000).fill(1) });
    const res = await send('PUT', '/__control/faults', body);
    expect(res.status).toBe(400);
    expect(res.text.length).toBeLessThan(64 * 1024);
    const errors = errorsOf(res.json());
    expect(errors.length).toBeLessThanOrEqual(MAX_ERROR_ENTRIES + 1);
    const journal = (await send('GET', '/__control/journal')).json() as { entries: { path: string; requestViolations: unknown[] }[] };
    const journaled = journal.entries.find((entry) => entry.path === '/__control/faults');
    expect(journaled).toBeDefined();
    expect(journaled!.requestViolations.length).toBeLessThanOrEqual(MAX_ERROR_ENTRIES + 1);
  });

  it('a small document broken everywhere lists the first problems and one entry counting the rest', async () => {
    const body = JSON.stringify({ name: 'broken', apps: new Array(500).fill(1) });
    const errors = errorsOf((await send('PUT', '/__control/state', body)).json());
    expect(errors).toHaveLength(MAX_ERROR_ENTRIES + 1);
    expect(errors[MAX_ERROR_ENTRIES]).toMatchObject({ code: 'INVALID_SCENARIO', detail: 'and 400 more problems not listed', meta: { unlisted: 400 } });
  });
});

describe('item 2: validation is linear in the document', () => {
  it(`refuses a 30,000-item scenario by its first problem and says why, instead of collecting 30,000 (more than ${FULL_REPORT_MAX_VALUES} values)`, async () => {
    const res = await send('POST', '/__control/scenarios', JSON.stringify({ name: 'x', apps: new Array(30_000).fill(1) }));
    expect(res.status).toBe(400);
    const errors = errorsOf(res.json());
    expect(errors.length).toBeLessThanOrEqual(3);
    expect(errors.some((e) => /only its first problem is listed/.test(e.detail))).toBe(true);
    expect((await send('GET', '/health')).status).toBe(200);
  });

  it('the same for PUT /__control/state, and the world is unchanged', async () => {
    const before = world();
    const res = await send('PUT', '/__control/state', JSON.stringify({ name: 'x', apps: new Array(30_000).fill(1) }));
    expect(res.status).toBe(400);
    expect(errorsOf(res.json()).length).toBeLessThanOrEqual(3);
    expect(world()).toBe(before);
  });
});

describe(`item 3: JSON nested deeper than ${MAX_JSON_DEPTH} levels is refused before anything is stored`, () => {
  it('an import whose attributes.custom is 5,000 levels deep gets 400 JSON_TOO_DEEP with a pointer, and no app', async () => {
    const before = world();
    const document = `{"attributes":{"name":"deep","custom":${nested(5000)}}}`;
    const res = await send('POST', '/v1/apps/import', document, 'application/octet-stream');
    expect(res.status).toBe(400);
    const [error] = errorsOf(res.json());
    expect(error).toMatchObject({ code: 'JSON_TOO_DEEP', meta: { limit: MAX_JSON_DEPTH } });
    expect(error!.source!.pointer).toBe(`/attributes/custom${'/a'.repeat(MAX_JSON_DEPTH - 2)}`);
    expect(world()).toBe(before);
    expect((await send('GET', '/__control/state')).status).toBe(200);
  });

  it.each([
    ['PUT', '/__control/state'],
    ['POST', '/__control/scenarios'],
    ['PUT', '/__control/scenario'],
  ])('%s %s with a deep document gets 400 JSON_TOO_DEEP and changes nothing', async (method, path) => {
    const before = world();
    const res = await send(method, path, `{"name":"deep","apps":[{"attributes":{"custom":${nested(9000)}}}]}`);
    expect(res.status).toBe(400);
    expect(errorsOf(res.json())[0]).toMatchObject({ code: 'JSON_TOO_DEEP', source: { pointer: `/apps/0/attributes/custom${'/a'.repeat(MAX_JSON_DEPTH - 4)}` } });
    expect(world()).toBe(before);
  });

  it(`accepts a document exactly ${MAX_JSON_DEPTH} levels deep`, async () => {
    const res = await send('POST', '/v1/apps/import', `{"attributes":{"name":"deep enough","custom":${nested(MAX_JSON_DEPTH - 2)}}}`, 'application/octet-stream');
    expect(res.status).toBe(200);
    // The app is imported with the whole document kept, not a truncated one.
    const { attributes } = res.json() as { attributes: { id: string; name: string; custom: unknown } };
    expect(attributes).toMatchObject({ name: 'deep enough', custom: JSON.parse(nested(MAX_JSON_DEPTH - 2)) });
    expect((await send('GET', `/v1/apps/${attributes.id}`)).json()).toMatchObject({ attributes: { name: 'deep enough' } });
  });
});

describe('item 4: a request without Host', () => {
  it('gets 400 MALFORMED_HTTP in the error shape, not Node bare 400', async () => {
    const socket = net.connect(engine.port, engine.host);
    await once(socket, 'connect');
    socket.end('GET /health HTTP/1.1\r\nConnection: close\r\n\r\n');
    const chunks: Buffer[] = [];
    for await (const chunk of socket) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(text).toMatch(/content-type: application\/json/i);
    const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as unknown;
    expect(errorsOf(body)[0]).toMatchObject({ code: 'MALFORMED_HTTP', source: { header: 'host' } });
  });
});

describe('item 8: secrets in URLs never reach the journal', () => {
  it('redacts access_token, qlikTicket and password in the stored path and keeps the rest', async () => {
    await send('DELETE', '/__control/journal');
    await rawRequest(engine.url, 'GET', '/v1/apps/privileges?access_token=eyJhbGciOi.secret.sig&qlikTicket=T1cket&Password=hunter2&mode=NEW');
    const journal = (await send('GET', '/__control/journal')).text;
    expect(journal).not.toMatch(/eyJhbGciOi|T1cket|hunter2/);
    expect(journal).toContain('/v1/apps/privileges?access_token=[REDACTED]&qlikTicket=[REDACTED]&Password=[REDACTED]&mode=NEW');
  });
});
