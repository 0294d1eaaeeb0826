import net from 'node:net';
import { startEngineDouble } from '../../src/index';
import { rawRequest } from '../support/raw-http';
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
    expect(errorsOf(res.body)[0]).toMatchObject({ code: 'MISSING_BODY', detail: 'POST /v1/apps requires a request body (application/json); none was sent' });
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

  it('answers a media upload whose Content-Type the operation does not consume with 415 and what it expects (JSON bodies are read whatever their type: test/http/real-clients.test.ts)', async () => {
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

describe('requests refused before the pipeline, over a real socket', () => {
  it('answers a chunked body over the limit with 413 that counts what arrived', async () => {
    const engine = await startEngineDouble({ log: () => undefined, bodyLimit: '1kb' });
    try {
      const res = await rawRequest(engine.url, 'POST', '/v1/apps', Buffer.alloc(5000, 0x61), {
        'content-type': 'application/json',
        'transfer-encoding': 'chunked',
      });
      expect(res.status).toBe(413);
      expect(errorsOf(res.json())[0]!.detail).toMatch(/^the body is (at least )?\d{4,} bytes; the limit is 1024 bytes$/);
    } finally {
      await engine.close();
    }
  });

  it('answers a request Node cannot parse (an unknown method) with 400 in the error shape and keeps serving', async () => {
    const engine = await startEngineDouble({ log: () => undefined });
    try {
      const { port } = new URL(engine.url);
      const raw = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(Number(port), '127.0.0.1', () => socket.write('BREW /health HTTP/1.1\r\nHost: x\r\n\r\n'));
        let text = '';
        socket.on('data', (d: Buffer) => (text += d.toString()));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
      expect(raw).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as unknown;
      expect(errorsOf(body)[0]).toMatchObject({ code: 'MALFORMED_HTTP', status: '400' });
      expect((await fetch(`${engine.url}/health`)).status).toBe(200);
    } finally {
      await engine.close();
    }
  });
});
