import type { EngineRequest, PathParamNames } from '../../src/routes/types';

// Checked by `npm run typecheck`: a handler's path parameters come from its operation's template.
type MediaFile = EngineRequest<'GET /v1/apps/{appId}/media/files/{path}'>;
const names: PathParamNames<'GET /v1/apps/{appId}/media/files/{path}'>[] = ['appId', 'path'];
const present = (request: MediaFile): string => request.params.appId + request.rawParams.path;
// @ts-expect-error a parameter the template does not have may be absent
const absent = (request: EngineRequest<'GET /v1/apps/{appId}'>): string => request.params.path;

describe('handler inputs typed from the operation', () => {
  it('names the path parameters of a template, and only those', () => {
    expect(names).toEqual(['appId', 'path']);
    const request: MediaFile = { params: { appId: 'a', path: 'b' }, rawParams: { appId: 'a', path: 'b%2Fc' }, query: {}, headers: {}, body: undefined };
    expect(present(request)).toBe('ab%2Fc');
    expect(absent({ params: { appId: 'a' }, rawParams: { appId: 'a' }, query: {}, headers: {}, body: undefined })).toBeUndefined();
  });
});
