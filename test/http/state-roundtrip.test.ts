/**
 * Any world the engine API can make exports and restores byte for byte: random sequences of engine
 * calls (odd imports among them), then GET /__control/state → PUT it back → GET again, compared as
 * the bytes sent.
 */
import fc from 'fast-check';
import { newDouble } from '../support/double';

type Http = ReturnType<typeof newDouble>['http'];

/** Names that stress JSON and URLs: quotes, slashes, non-BMP characters, empty. */
const text = fc.oneof(fc.constantFrom('', 'Sales', 'a/b', '"quoted"', 'Ünïcödé 📈', ' ', '\\', '%2F'), fc.string({ maxLength: 12 }));
const mediaPath = fc.constantFrom('images/logo.png', 'images/2024/q1.txt', 'deep/er/still/file.bin', '100%25.png', 'sp%20ace.txt');
const bytes = fc.uint8Array({ maxLength: 64 }).map((array) => Buffer.from(array));
const date = fc.oneof(fc.constant(''), fc.integer({ min: 0, max: 4102444800000 }).map((ms) => new Date(ms).toISOString()), fc.constant('2024-05-01T12:00:00+02:00'));
const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const int64 = fc.oneof(fc.integer(), fc.constantFrom(2 ** 53, -(2 ** 53), 0));

/** App documents an import may carry: user attributes, engine dates, media, a data model, unicode keys. */
const appDocument = fc.record(
  {
    attributes: fc.record(
      {
        id: fc.constantFrom('doc-1', 'doc-2', '09aa1749-52a0-43ad-a525-3699d6e9f866'),
        name: text,
        description: text,
        createdDate: date,
        modifiedDate: date,
        lastReloadTime: date,
        publishTime: date,
        published: fc.boolean(),
        custom: fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
        thirdParty: fc.jsonValue({ maxDepth: 2 }),
        'ключ 🔑': fc.string({ maxLength: 4 }),
      },
      { requiredKeys: [] },
    ),
    media: fc.dictionary(mediaPath.map((p) => decodeURIComponent(p)), bytes.map((b) => ({ base64: b.toString('base64') })), { maxKeys: 3 }),
    dataModel: fc.record(
      {
        static_byte_size: int64,
        fields: fc.array(fc.record({ name: text, cardinal: int32, total_count: int64, src_tables: fc.array(text, { maxLength: 2 }) }, { requiredKeys: [] }), { maxLength: 2 }),
        tables: fc.array(fc.record({ name: text, no_of_rows: int64, no_of_fields: int32, is_loose: fc.boolean() }, { requiredKeys: [] }), { maxLength: 2 }),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['attributes'] },
);

/** One engine call; `pick` chooses among the apps that exist when it runs. */
type Call =
  | { kind: 'create'; name: string; description: string }
  | { kind: 'update'; pick: number; name: string }
  | { kind: 'copy'; pick: number; name: string }
  | { kind: 'publish'; pick: number; stream?: string }
  | { kind: 'unpublish'; pick: number }
  | { kind: 'delete'; pick: number }
  | { kind: 'putMedia'; pick: number; path: string; bytes: Buffer }
  | { kind: 'deleteMedia'; pick: number; path: string }
  | { kind: 'importDocument'; document: unknown; mode: 'NEW' | 'AUTOREPLACE'; name?: string }
  | { kind: 'importBytes'; bytes: Buffer; name?: string };

// Small, so calls often meet the same app (a file put, then deleted).
const pick = fc.nat({ max: 2 });
const call: fc.Arbitrary<Call> = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), name: text, description: text }),
  fc.record({ kind: fc.constant('update' as const), pick, name: text }),
  fc.record({ kind: fc.constant('copy' as const), pick, name: text }),
  fc.record({ kind: fc.constant('publish' as const), pick, stream: fc.option(text, { nil: undefined }) }),
  fc.record({ kind: fc.constant('unpublish' as const), pick }),
  fc.record({ kind: fc.constant('delete' as const), pick }),
  { arbitrary: fc.record({ kind: fc.constant('putMedia' as const), pick, path: mediaPath, bytes }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('deleteMedia' as const), pick, path: fc.oneof(mediaPath, fc.constantFrom('images', 'deep/er')) }), weight: 3 },
  fc.record({ kind: fc.constant('importDocument' as const), document: appDocument, mode: fc.constantFrom('NEW' as const, 'AUTOREPLACE' as const), name: fc.option(text, { nil: undefined }) }),
  fc.record({ kind: fc.constant('importBytes' as const), bytes: bytes.filter((b) => b.length > 0), name: fc.option(text, { nil: undefined }) }),
);

async function appIds(http: Http): Promise<string[]> {
  const state = (await http.get('/__control/state')).body as { apps?: { attributes: { id: string } }[] };
  return (state.apps ?? []).map((app) => app.attributes.id);
}

/** How often each kind of call succeeded, across every run: the property must exercise real changes. */
const succeeded = new Map<string, number>();

/** Runs one call; every answer must be 2xx or a refusal the double explains (never a 500). */
async function perform(http: Http, c: Call): Promise<void> {
  const ids = await appIds(http);
  const id = ids.length > 0 && 'pick' in c ? encodeURIComponent(ids[c.pick % ids.length]!) : 'no-app';
  const query = (name: string | undefined, extra = '') => `?${new URLSearchParams({ ...(name !== undefined ? { name } : {}) }).toString()}${extra}`;
  let res;
  switch (c.kind) {
    case 'create':
      res = await http.post('/v1/apps').send({ attributes: { name: c.name, description: c.description } });
      break;
    case 'update':
      res = await http.put(`/v1/apps/${id}`).send({ attributes: { name: c.name } });
      break;
    case 'copy':
      res = await http.post(`/v1/apps/${id}/copy`).send({ attributes: { name: c.name } });
      break;
    case 'publish':
      res = await http.put(`/v1/apps/${id}/publish`).send(c.stream === undefined ? {} : { stream: c.stream });
      break;
    case 'unpublish':
      res = await http.put(`/v1/apps/${id}/unpublish`);
      break;
    case 'delete':
      res = await http.delete(`/v1/apps/${id}`);
      break;
    case 'putMedia':
      res = await http.put(`/v1/apps/${id}/media/files/${c.path}`).set('content-type', 'application/octet-stream').send(c.bytes);
      break;
    case 'deleteMedia':
      res = await http.delete(`/v1/apps/${id}/media/files/${c.path}`);
      break;
    case 'importDocument':
      // binary/octet-stream as Qlik's CLI sends (superagent would re-encode a form-urlencoded body).
      res = await http.post(`/v1/apps/import${query(c.name, `&mode=${c.mode}`)}`).set('content-type', 'binary/octet-stream').send(Buffer.from(JSON.stringify(c.document)));
      break;
    case 'importBytes':
      res = await http.post(`/v1/apps/import${query(c.name)}`).send(c.bytes);
      break;
  }
  if (res.status >= 500) throw new Error(`${c.kind} answered ${res.status}: ${JSON.stringify(res.body)}`);
  if (res.status < 300) succeeded.set(c.kind, (succeeded.get(c.kind) ?? 0) + 1);
}

describe('export → restore → export', () => {
  it('gives the same bytes for any world the engine API can make', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(call, { maxLength: 20 }), async (calls) => {
        const { http } = newDouble();
        for (const c of calls) await perform(http, c);
        const exported = await http.get('/__control/state').buffer(true);
        expect(exported.status).toBe(200);
        const restored = await http.put('/__control/state').set('content-type', 'application/json').send(exported.text);
        expect({ status: restored.status, body: restored.body }).toEqual({ status: 204, body: {} });
        const again = await http.get('/__control/state').buffer(true);
        expect(again.text).toBe(exported.text);
        // The restored world still serves: every app reads back and its data model answers.
        for (const appId of await appIds(http)) {
          expect((await http.get(`/v1/apps/${encodeURIComponent(appId)}`)).status).toBe(200);
          expect((await http.get(`/v1/apps/${encodeURIComponent(appId)}/data/metadata`)).status).toBe(200);
        }
      }),
      { numRuns: 60, seed: 11 },
    );
    for (const kind of ['create', 'update', 'copy', 'publish', 'unpublish', 'delete', 'putMedia', 'deleteMedia', 'importDocument', 'importBytes']) {
      expect({ kind, succeeded: (succeeded.get(kind) ?? 0) >= 2 }).toEqual({ kind, succeeded: true });
    }
  });
});
