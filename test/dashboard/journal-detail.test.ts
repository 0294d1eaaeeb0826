/**
 * GET /__control/journal/{sequence}: one entry with the headers and bodies the double kept, bounded
 * and with secrets hidden; the request body is kept even when the contract refused it.
 */
import { createHash } from 'node:crypto';
import { loadScenario } from '../../src/scenarios/registry';
import { BODY_TEXT_LIMIT, EXCHANGES_KEPT } from '../../src/dashboard/exchanges';
import { errorsOf, newDouble } from '../support/double';

const MEDIA_LIBRARY = '9e8d7c6b-5a4f-4e3d-9c2b-1a0f9e8d7c6b';

interface Detail {
  entry: { sequence: number; path: string };
  request?: { headers: Record<string, string>; body?: { size: number; text?: string; truncated?: boolean; sha256?: string; preview?: string; contentType?: string } };
  response?: Detail['request'];
}

async function lastDetail(http: ReturnType<typeof newDouble>['http']): Promise<Detail> {
  const journal = await http.get('/__control/journal?limit=1');
  const { sequence } = journal.body.entries[0] as { sequence: number };
  const res = await http.get(`/__control/journal/${sequence}`);
  expect(res.status).toBe(200);
  return res.body as Detail;
}

describe('GET /__control/journal/{sequence}', () => {
  it('gives a refused request with its body, headers (secrets hidden) and the error answer', async () => {
    const { http } = newDouble();
    await http.post('/v1/apps').set('authorization', 'Bearer abc.def.ghi').set('cookie', 'session=s3cret').send({ attributes: { name: 7 }, password: 'hunter2' });
    const detail = await lastDetail(http);
    expect(detail.entry.path).toBe('/v1/apps');
    expect(detail.request!.headers.authorization).toBe('Bearer [REDACTED]');
    expect(detail.request!.headers.cookie).toBe('[REDACTED]');
    expect(JSON.parse(detail.request!.body!.text!)).toEqual({ attributes: { name: 7 }, password: '[REDACTED]' });
    expect(JSON.parse(detail.response!.body!.text!).errors[0]).toMatchObject({ code: 'INVALID_BODY', source: { pointer: '/attributes/name' } });
    expect(detail.response!.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('shows bytes by size and SHA-256, with a preview for an image', async () => {
    const { http } = newDouble({ scenario: loadScenario('media-tree') });
    const png = await http.get(`/v1/apps/${MEDIA_LIBRARY}/media/files/images/logo.png`).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
    const bytes = png.body as Buffer;
    const body = (await lastDetail(http)).response!.body!;
    expect(body).toMatchObject({ size: bytes.length, contentType: 'application/octet-stream', sha256: createHash('sha256').update(bytes).digest('hex') });
    expect(body.preview).toBe(`data:image/png;base64,${bytes.toString('base64')}`);
    expect(body.text).toBeUndefined();
  });

  it('cuts a long body at 64 KiB and says so', async () => {
    const { http } = newDouble();
    const description = 'x'.repeat(BODY_TEXT_LIMIT + 10);
    await http.post('/v1/apps').send({ attributes: { name: 'Long', description } });
    const body = (await lastDetail(http)).request!.body!;
    expect(body.truncated).toBe(true);
    expect(body.text).toHaveLength(BODY_TEXT_LIMIT);
    expect(body.size).toBe(Buffer.byteLength(JSON.stringify({ attributes: { name: 'Long', description } })));
  });

  it('holds a request body once: the detail reads the journal\'s record, and shows it reduced once the journal reduced it', async () => {
    const { http } = newDouble({ journalBodiesTotal: 100 });
    const first = { attributes: { name: 'First', description: 'a'.repeat(40) } };
    await http.post('/v1/apps').send(first);
    const { sequence } = (await lastDetail(http)).entry;
    expect(JSON.parse((await http.get(`/__control/journal/${sequence}`)).body.request.body.text)).toEqual(first);
    // A second body past the journal's total reduces the first to its size: the detail no longer holds its text either.
    await http.post('/v1/apps').send({ attributes: { name: 'Second', description: 'b'.repeat(40) } });
    const reduced = await http.get(`/__control/journal/${sequence}`);
    expect(reduced.body.entry.request.body).toEqual({ size: Buffer.byteLength(JSON.stringify(first)), omitted: 'journalFull' });
    expect(reduced.body.request.body).toEqual({ size: Buffer.byteLength(JSON.stringify(first)), contentType: 'application/json' });
    expect(reduced.body.request.headers['content-type']).toBe('application/json');
  });

  it('keeps exchanges for the last 200 requests, the entry as long as the journal holds it, then 404', async () => {
    const { http } = newDouble({ journalSize: EXCHANGES_KEPT + 5 });
    for (let i = 0; i < EXCHANGES_KEPT + 1; i += 1) await http.get(`/v1/apps/n${i}`);
    const first = await http.get('/__control/journal/1');
    expect(first.status).toBe(200);
    expect(first.body.entry.path).toBe('/v1/apps/n0');
    expect(first.body.request).toBeUndefined();
    expect((await http.get(`/__control/journal/${EXCHANGES_KEPT + 1}`)).body.request.headers.host).toBeDefined();
    const gone = await http.get('/__control/journal/9999');
    expect(gone.status).toBe(404);
    expect(errorsOf(gone.body)[0]).toMatchObject({ code: 'JOURNAL_ENTRY_NOT_FOUND', source: { parameter: 'sequence' } });
  });
});
