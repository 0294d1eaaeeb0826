import { errorsOf, newDouble } from '../support/double';

const octets = (body: Buffer | string) => ({ body: Buffer.from(body), type: 'application/octet-stream' });

describe('POST /v1/apps/import', () => {
  const { http, runtime } = newDouble();
  const importApp = (query: string, bytes: Buffer | string) => {
    const { body, type } = octets(bytes);
    return http.post(`/v1/apps/import${query}`).set('content-type', type).send(body);
  };

  const appDocument = {
    attributes: { id: 'imported-id-1', name: 'From document', description: 'with media', custom: { team: 'finance' } },
    media: { 'images/logo.png': { base64: 'iVBORw0KGgo=' } },
    dataModel: { static_byte_size: 42, fields: [{ name: 'Region', src_tables: ['Sales'] }], tables: [{ name: 'Sales', no_of_rows: 3 }] },
  };

  it('makes a new app from an app document in NEW mode, with its media and data model', async () => {
    const res = await importApp('?name=Renamed', JSON.stringify(appDocument));
    expect(res.status).toBe(200);
    const { id } = res.body.attributes;
    expect(id).not.toBe('imported-id-1');
    expect(res.body.attributes).toMatchObject({ name: 'Renamed', description: 'with media', custom: { team: 'finance' }, published: false });
    expect((await http.get(`/v1/apps/${id}/media/files/images/logo.png`)).body.toString('base64')).toBe('iVBORw0KGgo=');
    const data = await http.get(`/v1/apps/${id}/data/metadata`);
    expect(data.body).toMatchObject({ static_byte_size: 42, fields: [{ name: 'Region' }], tables: [{ name: 'Sales', no_of_rows: 3 }] });
  });

  it('makes a new app every time in NEW mode, even from the same document', async () => {
    const a = await importApp('?mode=NEW', JSON.stringify(appDocument));
    const b = await importApp('?mode=NEW', JSON.stringify(appDocument));
    const byDefault = await importApp('', JSON.stringify(appDocument));
    expect([a.status, b.status, byDefault.status]).toEqual([200, 200, 200]);
    expect(new Set([a.body.attributes.id, b.body.attributes.id, byDefault.body.attributes.id, 'imported-id-1']).size).toBe(4);
  });

  it('keeps the id in AUTOREPLACE mode and replaces the existing app', async () => {
    const first = await importApp('?mode=AUTOREPLACE', JSON.stringify(appDocument));
    expect(first.status).toBe(200);
    expect(first.body.attributes.id).toBe('imported-id-1');
    const replacement = { ...appDocument, attributes: { ...appDocument.attributes, name: 'Replaced' }, media: {} };
    const second = await importApp('?mode=AUTOREPLACE', JSON.stringify(replacement));
    expect(second.body.attributes).toMatchObject({ id: 'imported-id-1', name: 'Replaced' });
    expect((await http.get('/v1/apps/imported-id-1')).body.attributes.name).toBe('Replaced');
    expect((await http.get('/v1/apps/imported-id-1/media/files/images/logo.png')).status).toBe(404);
  });

  it('keeps the bytes of a real .qvf and gives the app generated attributes', async () => {
    const qvf = Buffer.concat([Buffer.from('QVF'), Buffer.alloc(1000, 0xab)]);
    const res = await importApp('?name=Real%20app', qvf);
    expect(res.status).toBe(200);
    expect(res.body.attributes).toMatchObject({ name: 'Real app', published: false, owner: 'Personal\\Me' });
  });

  it('refuses AUTOREPLACE when no id can be extracted, with a 400 that says why', async () => {
    for (const bytes of ['not json at all', JSON.stringify({ attributes: { name: 'no id' } })]) {
      const res = await importApp('?mode=AUTOREPLACE', bytes);
      expect(res.status).toBe(400);
      expect(errorsOf(res.body)[0]).toMatchObject({ code: 'INVALID_IMPORT', detail: expect.stringMatching(/id/) });
    }
  });

  it('refuses an empty body with 400', async () => {
    const res = await http.post('/v1/apps/import').set('content-type', 'application/octet-stream');
    expect(res.status).toBe(400);
    expect(errorsOf(res.body)[0]!.code).toBe('INVALID_IMPORT');
  });

  it('refuses an app document that breaks the contract and creates nothing', async () => {
    const appsBefore = runtime.model().listApps().length;
    const res = await importApp('?mode=AUTOREPLACE', JSON.stringify({ attributes: { id: 'x', published: 'yes' } }));
    expect(res.status).toBe(400);
    expect(errorsOf(res.body)[0]!.detail).toMatch(/published/);
    expect((await http.get('/v1/apps/x')).status).toBe(404);
    expect(runtime.model().listApps()).toHaveLength(appsBefore);
  });
});
