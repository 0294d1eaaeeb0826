import { errorsOf, newDouble } from '../support/double';

describe('request validation against the contract', () => {
  const { http } = newDouble({ bodyLimit: '1kb' });

  it('answers malformed JSON with 400 MALFORMED_JSON pointing at the body', async () => {
    const res = await http.post('/v1/apps').set('content-type', 'application/json').send('{"attributes": {"name": ');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const [error] = errorsOf(res.body);
    expect(error).toMatchObject({ code: 'MALFORMED_JSON', status: '400', source: { pointer: '/' } });
    expect(error!.detail).toMatch(/not valid JSON/);
  });

  it('lists every wrongly typed property with its pointer and rule', async () => {
    const res = await http.post('/v1/apps').send({ attributes: { name: 5, description: true } });
    expect(res.status).toBe(400);
    const errors = errorsOf(res.body);
    expect(errors.map((e) => [e.code, e.source?.pointer, e.meta?.rule])).toEqual([
      ['INVALID_BODY', '/attributes/name', 'type'],
      ['INVALID_BODY', '/attributes/description', 'type'],
    ]);
    expect(errors[0]!.detail).toBe('body/attributes/name must be string');
  });

  it('refuses a body that is not an object where the contract wants one', async () => {
    const res = await http.put('/v1/apps/abc').send([1, 2]);
    expect(res.status).toBe(400);
    expect(errorsOf(res.body)).toEqual([expect.objectContaining({ code: 'INVALID_BODY', source: { pointer: '/' } })]);
  });

  it('answers a missing required body with 400 MISSING_BODY', async () => {
    const res = await http.post('/v1/apps');
    expect(res.status).toBe(400);
    expect(errorsOf(res.body)[0]).toMatchObject({ code: 'MISSING_BODY', detail: expect.stringContaining("'attr'") });
  });

  it('names the allowed values of an enum parameter', async () => {
    const res = await http.post('/v1/apps/import?mode=sideways').set('content-type', 'application/octet-stream').send(Buffer.from('x'));
    expect(res.status).toBe(400);
    const [error] = errorsOf(res.body);
    expect(error).toMatchObject({ code: 'INVALID_PARAMETER', source: { parameter: 'mode' }, meta: { rule: 'enum', in: 'query' } });
    expect(error!.detail).toBe(`query parameter 'mode' must be one of "NEW", "AUTOREPLACE"`);
  });

  it('refuses a repeated query parameter instead of picking one silently', async () => {
    const res = await http.post('/v1/apps/import?name=a&name=b').set('content-type', 'application/octet-stream').send(Buffer.from('x'));
    expect(res.status).toBe(400);
    expect(errorsOf(res.body)[0]).toMatchObject({ source: { parameter: 'name' }, meta: { rule: 'type' } });
  });

  it('reports parameter and body problems of one request together', async () => {
    const res = await http.put('/v1/apps/%zz').send({ attributes: 'x' });
    expect(res.status).toBe(400);
    const errors = errorsOf(res.body);
    expect(errors.map((e) => [e.code, e.source])).toEqual([
      ['INVALID_PARAMETER', { parameter: 'appId' }],
      ['INVALID_BODY', { pointer: '/attributes' }],
    ]);
    expect(errors[0]!.detail).toBe("path parameter 'appId' has a malformed percent-escape: %zz");
  });

  it('answers a Content-Type the operation does not consume with 415 and what it expects', async () => {
    const json = await http.post('/v1/apps').set('content-type', 'text/plain').send('{"attributes":{}}');
    expect(json.status).toBe(415);
    expect(errorsOf(json.body)[0]).toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      source: { header: 'content-type' },
      meta: { expected: ['application/json'], received: 'text/plain' },
    });
    const binary = await http.put('/v1/apps/abc/media/files/a.png').send({ not: 'bytes' });
    expect(binary.status).toBe(415);
    expect(errorsOf(binary.body)[0]!.meta).toMatchObject({ expected: ['application/octet-stream'], received: 'application/json' });
  });

  it('answers a body over the configured limit with 413 naming the limit', async () => {
    const res = await http.post('/v1/apps').send({ attributes: { name: 'x'.repeat(2000) } });
    expect(res.status).toBe(413);
    expect(errorsOf(res.body)[0]).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', meta: { limit: 1024 } });
  });

  it('answers an unknown path with 404 that names the nearest operation', async () => {
    const res = await http.get('/v1/app/abc');
    expect(res.status).toBe(404);
    const [error] = errorsOf(res.body);
    expect(error).toMatchObject({ code: 'ROUTE_NOT_FOUND', meta: { suggestion: 'GET /v1/apps/{appId}' } });
    expect(error!.detail).toBe('no operation matches GET /v1/app/abc; did you mean GET /v1/apps/{appId}?');
  });

  it('suggests nothing for a path far from every operation', async () => {
    const res = await http.get('/completely/elsewhere/than/the/engine/api');
    expect(res.status).toBe(404);
    expect(errorsOf(res.body)[0]!.meta).toBeUndefined();
  });

  it('answers a known path with the wrong method with 405 and Allow', async () => {
    const res = await http.patch('/v1/apps/abc').send({});
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('DELETE, GET, PUT');
    expect(errorsOf(res.body)[0]).toMatchObject({ code: 'METHOD_NOT_ALLOWED', meta: { allow: ['DELETE', 'GET', 'PUT'] } });
  });

  it('never answers with HTML, even for a path Express would 404 itself', async () => {
    const res = await http.get('/');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    errorsOf(res.body);
  });

  it('prefers the literal path /v1/apps/privileges over /v1/apps/{appId}', async () => {
    const res = await http.get('/v1/apps/privileges');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(['can_create_app', 'can_import_app']);
  });
});
