/**
 * What real clients send, answered as a real engine answers it: curl's default Content-Type on an
 * import, Qlik's CLI's binary/octet-stream, a generated client's JSON without Content-Type and its
 * %2F-encoded media paths. Each tolerated deviation is journaled as a requestWarning, not a violation.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startEngineDouble, type EngineDouble } from '../../src/index';
import { formatContractViolations, toHaveNoContractViolations } from '../../src/jest/matcher';
import { errorsOf } from '../support/double';
import { rawRequest } from '../support/raw-http';

const run = promisify(execFile);

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A real engine's whole answer to `curl -s --data-binary @Shared-Africa-Urbanization.qvf http://engine/v1/apps/import`, from Qlik's access-control guide. */
const REAL_ENGINE_IMPORT_ANSWER = JSON.parse(
  '{"attributes":{"id":"09aa1749-52a0-43ad-a525-3699d6e9f866","name":"","description":"","thumbnail":"","lastReloadTime":"2018-06-13T13:34:41.436Z","createdDate":"","modifiedDate":"","owner":"Personal\\\\Me","dynamicColor":"","published":false,"publishTime":"","custom":{},"_resourcetype":"app"},"privileges":["read","create","update","delete","reload","import","export","exportdata","publish","duplicate","approve"],"create":[{"resource":"\\"sheet\\"","canCreate":true},{"resource":"\\"bookmark\\"","canCreate":true},{"resource":"\\"story\\"","canCreate":true},{"resource":"\\"dimension\\"","canCreate":true},{"resource":"\\"measure\\"","canCreate":true},{"resource":"\\"masterobject\\"","canCreate":true},{"resource":"\\"folderconnection\\"","canCreate":true},{"resource":"\\"internetconnection\\"","canCreate":true}]}',
) as { attributes: Record<string, unknown>; privileges: string[]; create: { resource: string; canCreate: boolean }[] };

describe('real clients work unmodified', () => {
  let engine: EngineDouble;
  let dir: string;

  beforeAll(async () => {
    engine = await startEngineDouble({ log: () => undefined });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qed-real-clients-'));
  });
  afterAll(async () => {
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => engine.clearJournal());

  const lastEntry = async () => (await engine.journal()).at(-1)!;

  it("imports with Qlik's documented `curl --data-binary` (application/x-www-form-urlencoded): 200, with a warning", async () => {
    const file = path.join(dir, 'app.qvf');
    fs.writeFileSync(file, Buffer.from([0x51, 0x56, 0x46, 0x00, 0xff, 0x26, 0x3d]));
    const { stdout } = await run('curl', ['-s', '-w', '\n%{http_code}', '--data-binary', `@${file}`, `${engine.url}/v1/apps/import`]);
    const [body, status] = stdout.split('\n');
    expect(status).toBe('200');
    expect(JSON.parse(body!)).toMatchObject({ attributes: { name: '', published: false } });
    const entry = await lastEntry();
    expect(entry).toMatchObject({ operationId: 'POST /v1/apps/import', status: 200, requestViolations: [] });
    expect(entry.requestWarnings).toEqual([
      expect.objectContaining({ code: 'CONTENT_TYPE_TOLERATED', sent: 'application/x-www-form-urlencoded', declared: 'application/octet-stream', source: { header: 'content-type' } }),
    ]);
  });

  it("imports with the CLI's binary/octet-stream, and with no Content-Type at all", async () => {
    for (const headers of [{ 'content-type': 'binary/octet-stream' }, {}]) {
      const res = await rawRequest(engine.url, 'POST', '/v1/apps/import', Buffer.from('QVF bytes'), headers);
      expect(res.status).toBe(200);
      expect((await lastEntry()).requestWarnings).toEqual([expect.objectContaining({ sent: headers['content-type'] ?? '' })]);
    }
  });

  it('imports application/octet-stream without a warning', async () => {
    const res = await rawRequest(engine.url, 'POST', '/v1/apps/import', Buffer.from('QVF bytes'), { 'content-type': 'application/octet-stream' });
    expect(res.status).toBe(200);
    expect((await lastEntry()).requestWarnings).toBeUndefined();
  });

  it('reads the JSON bodies of create, update, copy and publish sent without Content-Type or as text/plain', async () => {
    const created = await fetch(`${engine.url}/v1/apps`, { method: 'POST', body: JSON.stringify({ attributes: { name: 'Sent as text' } }) });
    expect(created.status).toBe(200);
    const { attributes } = (await created.json()) as { attributes: { id: string; name: string } };
    expect(attributes.name).toBe('Sent as text');
    const id = attributes.id;
    const calls: [string, string, unknown][] = [
      ['PUT', `/v1/apps/${id}`, { attributes: { name: 'Renamed' } }],
      ['POST', `/v1/apps/${id}/copy`, { attributes: { name: 'Copy' } }],
      ['PUT', `/v1/apps/${id}/publish`, { stream: 'Everyone' }],
    ];
    for (const [method, url, body] of calls) {
      const res = await rawRequest(engine.url, method, url, JSON.stringify(body));
      expect(res.status).toBe(200);
      expect((await lastEntry()).requestWarnings).toEqual([expect.objectContaining({ code: 'CONTENT_TYPE_TOLERATED', sent: '', declared: 'application/json' })]);
    }
    expect(((await engine.journal())[0]!.requestWarnings ?? [])[0]).toMatchObject({ sent: 'text/plain' });
    expect((await rawRequest(engine.url, 'GET', `/v1/apps/${id}`)).json()).toMatchObject({ attributes: { name: 'Renamed', published: true } });
  });

  it('still refuses a body that is not JSON with 400 MALFORMED_JSON, whatever its Content-Type', async () => {
    for (const headers of [{}, { 'content-type': 'text/plain' }, { 'content-type': 'application/json' }]) {
      const res = await rawRequest(engine.url, 'POST', '/v1/apps', 'name=Sales', headers);
      expect(res.status).toBe(400);
      expect(errorsOf(res.json())[0]!.code).toBe('MALFORMED_JSON');
    }
  });

  it('keeps refusing a media upload whose Content-Type nothing shows engines accept (415)', async () => {
    const created = await rawRequest(engine.url, 'POST', '/v1/apps', '{}', { 'content-type': 'application/json' });
    const id = (created.json() as { attributes: { id: string } }).attributes.id;
    const res = await rawRequest(engine.url, 'PUT', `/v1/apps/${id}/media/files/a.txt`, 'x', { 'content-type': 'text/plain' });
    expect(res.status).toBe(415);
    expect(errorsOf(res.json())[0]).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', meta: { expected: ['application/octet-stream'] } });
    // Refused, so nothing was stored.
    expect((await rawRequest(engine.url, 'GET', `/v1/apps/${id}/media/files/a.txt`)).status).toBe(404);
  });

  describe('%2F in a media path', () => {
    let id: string;
    beforeAll(async () => {
      const created = await rawRequest(engine.url, 'POST', '/v1/apps', '{}', { 'content-type': 'application/json' });
      id = (created.json() as { attributes: { id: string } }).attributes.id;
    });

    it('is a separator on every media operation, with a warning', async () => {
      const media = (kind: string, p: string) => `/v1/apps/${id}/media/${kind}/${p}`;
      const octets = { 'content-type': 'application/octet-stream' };
      expect((await rawRequest(engine.url, 'PUT', media('files', 'images%2Flogo.png'), Buffer.from([1, 2, 3]), octets)).status).toBe(200);
      expect((await lastEntry()).requestWarnings).toEqual([
        expect.objectContaining({ code: 'ENCODED_SEPARATOR_TOLERATED', sent: 'images%2Flogo.png', source: { parameter: 'path' } }),
      ]);
      const plain = await rawRequest(engine.url, 'GET', media('files', 'images/logo.png'));
      expect([...plain.body]).toEqual([1, 2, 3]);
      const encoded = await rawRequest(engine.url, 'GET', media('files', 'images%2flogo.png'));
      expect([...encoded.body]).toEqual([1, 2, 3]);
      expect((await rawRequest(engine.url, 'GET', media('list', 'images%2F'))).json()).toEqual(['images/logo.png']);
      expect((await rawRequest(engine.url, 'DELETE', media('files', 'images%2Flogo.png'))).status).toBe(200);
      expect((await rawRequest(engine.url, 'GET', media('files', 'images/logo.png'))).status).toBe(404);
      const warned = (await engine.journal()).filter((entry) => entry.requestWarnings?.[0]?.code === 'ENCODED_SEPARATOR_TOLERATED');
      expect(warned.map((entry) => entry.operationId)).toEqual([
        'PUT /v1/apps/{appId}/media/files/{path}',
        'GET /v1/apps/{appId}/media/files/{path}',
        'GET /v1/apps/{appId}/media/list/{path}',
        'DELETE /v1/apps/{appId}/media/files/{path}',
      ]);
    });

    it.each([
      ['an encoded traversal', '..%2F..%2Fsecret.txt'],
      ['an encoded dot-dot and separator', '%2e%2e%2Fsecret.txt'],
      ['an absolute path', '%2Fetc%2Fpasswd'],
      ['an empty segment', 'a%2F%2Fb.txt'],
      ['a dot segment', 'a%2F.%2Fb.txt'],
      ['an encoded backslash', 'a%2F..%5Cb.txt'],
      ['a NUL', 'a%2Fb%00.txt'],
      ['a too deep path', `${'d%2F'.repeat(40)}x.txt`],
      ['an over-long path', `a%2F${'b'.repeat(2000)}.txt`],
    ])('still refuses %s after decoding, on every media operation', async (_label, p) => {
      const octets = { 'content-type': 'application/octet-stream' };
      const answers = [
        await rawRequest(engine.url, 'PUT', `/v1/apps/${id}/media/files/${p}`, 'x', octets),
        await rawRequest(engine.url, 'GET', `/v1/apps/${id}/media/files/${p}`),
        await rawRequest(engine.url, 'DELETE', `/v1/apps/${id}/media/files/${p}`),
        await rawRequest(engine.url, 'GET', `/v1/apps/${id}/media/list/${p}`),
      ];
      for (const res of answers) {
        expect(res.status).toBe(400);
        expect(errorsOf(res.json())[0]).toMatchObject({ code: 'INVALID_MEDIA_PATH', source: { parameter: 'path' } });
      }
    });
  });

  it('lists warnings only when asked, and the matcher reports them without failing unless told to', async () => {
    await rawRequest(engine.url, 'POST', '/v1/apps', '{}');
    expect(await engine.violations()).toEqual([]);
    const withWarnings = await engine.violations({ includeWarnings: true });
    expect(withWarnings).toHaveLength(1);
    expect((await toHaveNoContractViolations(engine)).pass).toBe(true);
    const strict = await toHaveNoContractViolations(engine, { warnings: 'fail' });
    expect(strict.pass).toBe(false);
    expect(strict.message()).toContain('warning   code=CONTENT_TYPE_TOLERATED  sent=""  declared="application/json"');
    await rawRequest(engine.url, 'POST', '/v1/apps', '{"attributes":{"name":5}}', { 'content-type': 'application/json' });
    const failed = await toHaveNoContractViolations(engine);
    expect(failed.pass).toBe(false);
    expect(failed.message()).toMatch(/broke the engine's contract:[\s\S]*rule=type[\s\S]*real engines tolerate \(requestWarnings\):[\s\S]*CONTENT_TYPE_TOLERATED/);
    expect(formatContractViolations(withWarnings)).not.toContain('broke the engine');
  });

  it('answers an unsecured import as Qlik’s access-control guide shows a real engine answering it', async () => {
    const res = await rawRequest(engine.url, 'POST', '/v1/apps/import', Buffer.from('QVF bytes'), { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(200);
    const answer = res.json() as typeof REAL_ENGINE_IMPORT_ANSWER;
    // The same answer but for what differs from import to import: the app's id, the file's reload time.
    expect(answer).toEqual({
      ...REAL_ENGINE_IMPORT_ANSWER,
      attributes: { ...REAL_ENGINE_IMPORT_ANSWER.attributes, id: expect.stringMatching(GUID), lastReloadTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) },
    });
    // Key order too: clients that print or diff the answer see the engine's.
    expect(Object.keys(answer.attributes)).toEqual(Object.keys(REAL_ENGINE_IMPORT_ANSWER.attributes));
    expect(await engine.violations()).toEqual([]);
  });

  it.each([
    ['dates the contract forbids', { attributes: { name: 'x', createdDate: 'yesterday', publishTime: 'soon' } }, ['/attributes/createdDate', '/attributes/publishTime'], ['format', 'format']],
    ['a data model that breaks DataModelMetadata', { attributes: { name: 'x' }, dataModel: { tables: [1] } }, ['/dataModel/tables/0'], ['type']],
    ['a count beyond int32', { attributes: { name: 'x' }, dataModel: { tables: [{ name: 'T', no_of_fields: 2 ** 31 }] } }, ['/dataModel/tables/0/no_of_fields'], ['format']],
    ['a non-integer int64', { attributes: { name: 'x' }, dataModel: { static_byte_size: 1.5 } }, ['/dataModel/static_byte_size', '/dataModel/static_byte_size'], ['type', 'format']],
  ])('refuses a JSON app document with %s: 400 with pointer and rule, nothing stored', async (_label, document, pointers, rules) => {
    const before = await engine.state();
    for (const mode of ['NEW', 'AUTOREPLACE']) {
      const res = await rawRequest(engine.url, 'POST', `/v1/apps/import?mode=${mode}`, JSON.stringify({ ...document, attributes: { id: 'doc-id', ...document.attributes } }), {
        'content-type': 'application/octet-stream',
      });
      expect(res.status).toBe(400);
      const errors = errorsOf(res.json());
      expect(errors.map((e) => e.code)).toEqual(pointers.map(() => 'INVALID_IMPORT'));
      expect(errors.map((e) => e.source?.pointer)).toEqual(pointers);
      expect(errors.map((e) => e.meta?.rule)).toEqual(rules);
      expect(errors[0]!.detail).toMatch(/^POST \/v1\/apps\/import body#\/(attributes|dataModel)/);
    }
    expect(await engine.state()).toEqual(before);
  });
});

describe('through the proxy to a real engine', () => {
  it('journals what the double tolerates as warnings, not violations, and forwards the request as sent', async () => {
    const target = await startEngineDouble({ log: () => undefined });
    const proxy = await startEngineDouble({ proxy: { target: target.url }, log: () => undefined });
    try {
      const res = await rawRequest(proxy.url, 'POST', '/v1/apps/import', Buffer.from('QVF bytes'), { 'content-type': 'application/x-www-form-urlencoded' });
      expect(res.status).toBe(200);
      const [entry] = await proxy.journal();
      expect(entry).toMatchObject({ operationId: 'POST /v1/apps/import', status: 200, requestViolations: [], responseViolations: [] });
      expect(entry!.requestWarnings).toEqual([expect.objectContaining({ code: 'CONTENT_TYPE_TOLERATED', sent: 'application/x-www-form-urlencoded' })]);
      const id = (res.json() as { attributes: { id: string } }).attributes.id;
      const put = await rawRequest(proxy.url, 'PUT', `/v1/apps/${id}/media/files/images%2Flogo.png`, 'x', { 'content-type': 'application/octet-stream' });
      expect(put.status).toBe(200);
      expect((await proxy.journal()).at(-1)!.requestWarnings).toEqual([expect.objectContaining({ code: 'ENCODED_SEPARATOR_TOLERATED', sent: 'images%2Flogo.png' })]);
      expect((await rawRequest(target.url, 'GET', `/v1/apps/${id}/media/files/images/logo.png`)).body.toString()).toBe('x');
      expect(await proxy.violations()).toEqual([]);
    } finally {
      await proxy.close();
      await target.close();
    }
  });
});
