import { Router } from '../../src/spec/router';
import { DoubleError } from '../../src/errors';
import { loadContract } from '../../src/spec/contract';

const router = new Router(loadContract().operations);

function refusal(method: string, path: string): DoubleError {
  try {
    router.match(method, path);
  } catch (error) {
    if (error instanceof DoubleError) return error;
    throw error;
  }
  throw new Error(`${method} ${path} matched`);
}

describe('Router', () => {
  it.each([
    ['GET', '/health', 'GET /health', {}],
    ['GET', '/v1/apps/privileges', 'GET /v1/apps/privileges', {}],
    ['GET', '/v1/apps/abc', 'GET /v1/apps/{appId}', { appId: 'abc' }],
    ['POST', '/v1/apps/import', 'POST /v1/apps/import', {}],
    ['GET', '/v1/apps/import', 'GET /v1/apps/{appId}', { appId: 'import' }],
    ['GET', '/v1/apps/a/media/files/x/y/z.png', 'GET /v1/apps/{appId}/media/files/{path}', { appId: 'a', path: 'x/y/z.png' }],
    ['GET', '/v1/apps/a/media/files/..%2Fsecret', 'GET /v1/apps/{appId}/media/files/{path}', { appId: 'a', path: '..%2Fsecret' }],
    ['GET', '/v1/apps/a/media/list/', 'GET /v1/apps/{appId}/media/list/{path}', { appId: 'a', path: '' }],
    ['GET', '/v1/apps/a/media/list', 'GET /v1/apps/{appId}/media/list/{path}', { appId: 'a', path: '' }],
    ['GET', '/v1/apps/a/media/thumbnail', 'GET /v1/apps/{appId}/media/thumbnail', { appId: 'a' }],
  ])('%s %s is %s', (method, path, id, rawParams) => {
    const match = router.match(method, path);
    expect(match.operation.id).toBe(id);
    expect(match.rawParams).toEqual(rawParams);
  });

  it('never binds an empty segment to a parameter', () => {
    expect(refusal('GET', '/v1/apps//copy').status).toBe(404);
  });

  it('answers 405 with every method of the path', () => {
    const error = refusal('POST', '/v1/apps/abc');
    expect(error.status).toBe(405);
    expect(error.headers).toEqual({ Allow: 'DELETE, GET, PUT' });
  });

  it.each([
    ['/helth', 'GET /health'],
    ['/v1/app/abc', 'GET /v1/apps/{appId}'],
    ['/v1/apps/abc/metadata', 'GET /v1/apps/{appId}/data/metadata'],
    ['/v1/apps/abc/copi', 'POST /v1/apps/{appId}/copy'],
    ['/v1/apps/abc/data/metdata', 'GET /v1/apps/{appId}/data/metadata'],
  ])('suggests the nearest operation for %s', (path, suggestion) => {
    expect(refusal('GET', path).entries[0]!.meta).toEqual({ suggestion });
  });
});
