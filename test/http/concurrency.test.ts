import { startEngineDouble, type EngineDouble } from '../../src/index';

describe('concurrent requests', () => {
  let engine: EngineDouble;
  beforeAll(async () => {
    engine = await startEngineDouble({ log: () => undefined });
  });
  afterAll(() => engine.close());

  it('gives 200 concurrent creates 200 distinct apps', async () => {
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        fetch(`${engine.url}/v1/apps`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ attributes: { name: `app ${i}` } }),
        }).then(async (res) => ({ status: res.status, body: (await res.json()) as { attributes: { id: string; name: string } } })),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(200).fill(200));
    const ids = new Set(responses.map((r) => r.body.attributes.id));
    expect(ids.size).toBe(200);
    expect(engine.runtime.model().listApps()).toHaveLength(200);
  });

  it('leaves one whole file after concurrent writes to one media path, never a mix', async () => {
    const created = await fetch(`${engine.url}/v1/apps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const { id } = ((await created.json()) as { attributes: { id: string } }).attributes;
    const url = `${engine.url}/v1/apps/${id}/media/files/shared/contended.bin`;
    const versions = Array.from({ length: 20 }, (_, i) => Buffer.alloc(512 * 1024 + i, i));
    const statuses = await Promise.all(
      versions.map((bytes) => fetch(url, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: bytes }).then((r) => r.status)),
    );
    expect(statuses).toEqual(versions.map(() => 200));
    const stored = Buffer.from(await (await fetch(url)).arrayBuffer());
    const winner = versions.find((v) => v.equals(stored));
    expect(winner).toBeDefined();
  });
});
