/** Requests offering another protocol upgrade (curl --http2 sends h2c) are still plain REST calls. */
import { startEngineDouble } from '../../src/index';
import { rawRequest } from '../support/raw-http';

const H2C = { connection: 'Upgrade, HTTP2-Settings', upgrade: 'h2c', 'http2-settings': 'AAMAAABkAARAAAAAAAIAAAAA' };

it('serves a GET with Upgrade: h2c as an ordinary HTTP/1.1 request, and refuses one with a body clearly', async () => {
  const engine = await startEngineDouble({ scenario: 'default', log: () => undefined });
  try {
    const reply = await rawRequest(engine.url, 'GET', '/healthcheck', undefined, H2C);
    expect(reply.status).toBe(200);
    expect(reply.json()).toMatchObject({ version: '12.268.0' });
    const withBody = await rawRequest(engine.url, 'POST', '/v1/apps', '{}', { ...H2C, 'content-type': 'application/json' });
    expect(withBody.status).toBe(400);
    expect(withBody.json()).toMatchObject({ errors: [{ code: 'MALFORMED_HTTP' }] });
    expect((await fetch(`${engine.url}/health`)).status).toBe(200);
  } finally {
    await engine.close();
  }
});
