import type { Exchange } from '../../../src/proxy/relay';
import { RecordedWorld, recordScenario } from '../../../src/proxy/world';
import { scenarioProblems } from '../../../src/scenarios/validate';

const LABEL = { name: 'recorded' };

interface Parts {
  status?: number;
  rawParams?: Record<string, string>;
  request?: unknown;
  response?: unknown;
}

function bytesOf(value: unknown): Buffer {
  if (value === undefined) return Buffer.alloc(0);
  return Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value));
}

/** An exchange that kept the contract both ways. */
function exchange(operationId: string, { status = 200, rawParams = {}, request, response }: Parts = {}): Exchange {
  return {
    method: operationId.split(' ')[0]!,
    operationId,
    rawParams,
    requestBody: bytesOf(request),
    status,
    responseBody: bytesOf(response),
    requestViolations: [],
    responseViolations: [],
  };
}

const nxApp = (attributes: Record<string, unknown>) => ({ attributes, privileges: ['read'], create: [] });
const app = (appId: string) => ({ rawParams: { appId } });
const media = (appId: string, path: string) => ({ rawParams: { appId, path } });

describe('recordScenario', () => {
  it('keeps the latest attributes of each app, in the order apps were first seen', () => {
    const scenario = recordScenario(
      [
        exchange('POST /v1/apps', { response: nxApp({ id: 'a', name: 'Draft' }) }),
        exchange('GET /v1/apps/{appId}', { ...app('b'), response: nxApp({ id: 'b', name: 'Other' }) }),
        exchange('PUT /v1/apps/{appId}', { ...app('a'), request: { attributes: { name: 'Final' } }, response: nxApp({ id: 'a', name: 'Final' }) }),
      ],
      LABEL,
    );
    expect(scenario).toEqual({ name: 'recorded', apps: [{ attributes: { id: 'a', name: 'Final' } }, { attributes: { id: 'b', name: 'Other' } }] });
  });

  it('removes an app after a successful DELETE, and keeps it after a refused one', () => {
    const seen = exchange('GET /v1/apps/{appId}', { ...app('a'), response: nxApp({ id: 'a' }) });
    expect(recordScenario([seen, exchange('DELETE /v1/apps/{appId}', app('a'))], LABEL).apps).toEqual([]);
    expect(recordScenario([seen, exchange('DELETE /v1/apps/{appId}', { ...app('a'), status: 403 })], LABEL).apps).toHaveLength(1);
  });

  it('stores media bytes from GETs and PUTs under decoded paths, and forgets deleted files and folders', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]);
    const scenario = recordScenario(
      [
        exchange('PUT /v1/apps/{appId}/media/files/{path}', { ...media('a', 'images/logo%20v2.png'), request: png }),
        exchange('GET /v1/apps/{appId}/media/files/{path}', { ...media('a', 'docs/readme.txt'), response: Buffer.from('hello') }),
        exchange('PUT /v1/apps/{appId}/media/files/{path}', { ...media('a', 'old/one.txt'), request: Buffer.from('1') }),
        exchange('PUT /v1/apps/{appId}/media/files/{path}', { ...media('a', 'old/two.txt'), request: Buffer.from('2') }),
        exchange('DELETE /v1/apps/{appId}/media/files/{path}', media('a', 'old')),
        exchange('GET /v1/apps/{appId}/media/files/{path}', { ...media('a', 'missing.txt'), status: 404, response: Buffer.from('nope') }),
      ],
      LABEL,
    );
    expect(scenario.apps).toEqual([
      { attributes: { id: 'a' }, media: { 'docs/readme.txt': { base64: Buffer.from('hello').toString('base64') }, 'images/logo v2.png': { base64: png.toString('base64') } } },
    ]);
  });

  it('lets a later file replace a file standing where its folder is, and a file replace a folder', () => {
    const put = (path: string, text: string) => exchange('PUT /v1/apps/{appId}/media/files/{path}', { ...media('a', path), request: Buffer.from(text) });
    const scenario = recordScenario([put('x', 'file x'), put('x/inner.txt', 'inner'), put('y/deep/file.txt', 'deep'), put('y', 'now a file')], LABEL);
    expect(Object.keys(scenario.apps![0]!.media!)).toEqual(['x/inner.txt', 'y']);
    expect(scenarioProblems(scenario, 'recorded')).toEqual([]);
  });

  it('skips media paths the double would refuse', () => {
    const scenario = recordScenario([exchange('PUT /v1/apps/{appId}/media/files/{path}', { ...media('a', 'a/%2e%2e/b.txt'), request: Buffer.from('x') })], LABEL);
    expect(scenario.apps).toEqual([]);
  });

  it('stores a thumbnail at the path the app names as its thumbnail', () => {
    const thumb = Buffer.from([1, 2, 3]);
    const scenario = recordScenario(
      [
        exchange('GET /v1/apps/{appId}', { ...app('a'), response: nxApp({ id: 'a', thumbnail: '/v1/apps/a/media/files/thumbs/t%201.png' }) }),
        exchange('GET /v1/apps/{appId}/media/thumbnail', { ...app('a'), response: thumb }),
      ],
      LABEL,
    );
    expect(scenario.apps![0]!.media).toEqual({ 'thumbs/t 1.png': { base64: thumb.toString('base64') } });
  });

  it('gives a copy the media and data model known of its source', () => {
    const dataModel = { static_byte_size: 10, tables: [], fields: [] };
    const scenario = recordScenario(
      [
        exchange('GET /v1/apps/{appId}/data/metadata', { ...app('src'), response: dataModel }),
        exchange('PUT /v1/apps/{appId}/media/files/{path}', { ...media('src', 'a.txt'), request: Buffer.from('A') }),
        exchange('POST /v1/apps/{appId}/copy', { ...app('src'), request: { attributes: { name: 'Copy' } }, response: nxApp({ id: 'copy', name: 'Copy' }) }),
      ],
      LABEL,
    );
    expect(scenario.apps![1]).toEqual({ attributes: { id: 'copy', name: 'Copy' }, media: { 'a.txt': { base64: 'QQ==' } }, dataModel });
  });

  it('records the stream of a publish and forgets it on unpublish', () => {
    const publish = exchange('PUT /v1/apps/{appId}/publish', { ...app('a'), request: { stream: 's-1' }, response: nxApp({ id: 'a', published: true }) });
    expect(recordScenario([publish], LABEL).apps).toEqual([{ attributes: { id: 'a', published: true }, publishedStream: 's-1' }]);
    const unpublish = exchange('PUT /v1/apps/{appId}/unpublish', { ...app('a'), response: nxApp({ id: 'a', published: false }) });
    expect(recordScenario([publish, unpublish], LABEL).apps).toEqual([{ attributes: { id: 'a', published: false } }]);
  });

  it('takes sessions from GET /sessions and the condition from the latest /health status', () => {
    const sessions = [{ sessionid: 's', userid: 'u', appid: '', ttl: 0, state: 'active' }];
    const health = (status: number) => exchange('GET /health', { status, response: status === 200 ? {} : Buffer.from('') });
    expect(recordScenario([exchange('GET /sessions', { response: sessions }), health(503)], LABEL)).toEqual({ name: 'recorded', condition: 'unhealthy', apps: [], sessions });
    expect(recordScenario([health(503), health(429)], LABEL).condition).toBe('busy');
    expect(recordScenario([health(429), health(200)], LABEL).condition).toBe('healthy');
    expect(recordScenario([health(500)], LABEL).condition).toBeUndefined();
  });

  it('learns nothing from an exchange that broke the contract, matched no operation, or whose answer was not kept', () => {
    const good = exchange('GET /v1/apps/{appId}', { ...app('a'), response: nxApp({ id: 'a' }) });
    const ignored: Exchange[] = [
      { ...good, responseViolations: [{ detail: 'broken', meta: { rule: 'type' } }] },
      { ...good, requestViolations: [{ code: 'INVALID_PARAMETER', title: 't', status: '400', detail: 'bad' }] },
      { ...good, operationId: undefined },
      { ...good, responseBody: undefined },
    ];
    expect(recordScenario(ignored, LABEL).apps).toEqual([]);
  });

  it('makes documents that pass the scenario checks, with the label given', () => {
    const scenario = recordScenario(
      [
        exchange('POST /v1/apps', { response: nxApp({ id: 'a', name: 'A', createdDate: '2024-01-01T00:00:00.000Z', publishTime: '' }) }),
        exchange('GET /v1/apps/{appId}/media/files/{path}', { ...media('a', 'x/y.bin'), response: Buffer.from([0, 255]) }),
      ],
      { name: 'my-world', description: 'from a test' },
    );
    expect(scenario).toMatchObject({ name: 'my-world', description: 'from a test' });
    expect(scenarioProblems(scenario, 'my-world')).toEqual([]);
  });
});

describe('RecordedWorld.apply', () => {
  it('says whether the world changed, so unchanged traffic causes no write', () => {
    const world = new RecordedWorld();
    const read = exchange('GET /v1/apps/{appId}', { ...app('a'), response: nxApp({ id: 'a', name: 'A' }) });
    expect(world.apply(read)).toBe(true);
    expect(world.apply(read)).toBe(false);
    expect(world.apply(exchange('GET /v1/apps/{appId}', { ...app('a'), response: nxApp({ id: 'a', name: 'B' }) }))).toBe(true);
    expect(world.apply(exchange('GET /healthcheck', { response: {} }))).toBe(false);
    expect(world.apply(exchange('DELETE /v1/apps/{appId}', app('gone')))).toBe(false);
  });
});
