/**
 * The door on the HTTP server: requests offering another protocol upgrade (curl --http2 sends h2c)
 * are still plain REST calls; a server of your own takes the door under a base path; WSS, --base-path
 * and the metrics port work with it.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { attachQixDoor, startEngineDouble } from '../../src/index';
import { createRequestHandler, DoubleRuntime } from '../../src/server';
import WebSocket from 'ws';
import { rawRequest } from '../support/raw-http';
import { serveCli } from '../support/cli';
import { openQix, refusedUpgrade } from '../support/qix';

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

it('attaches to a server of your own under a base path', async () => {
  const runtime = new DoubleRuntime({ scenario: 'default', log: () => undefined });
  const server = createServer(createRequestHandler(runtime));
  const door = attachQixDoor(server, runtime, { basePath: '/api/' });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  try {
    const client = await openQix(`http://127.0.0.1:${port}/api`);
    expect(await client.global.engineVersion()).toEqual({ qComponentVersion: '12.268.0' });
    await client.close();
    expect((await refusedUpgrade(`ws://127.0.0.1:${port}/app/engineData`)).status).toBe(404);
  } finally {
    door.close();
    server.close();
    server.closeAllConnections();
    await once(server, 'close');
  }
});

it('serves QIX over WSS and under --base-path, and the metrics count its sessions', async () => {
  const engine = await startEngineDouble({ scenario: 'empty', basePath: '/api', tls: { selfSigned: true }, metrics: { port: 0 }, log: () => undefined });
  try {
    expect(engine.url).toMatch(/^https:\/\/.*\/api$/);
    const socket = new WebSocket(`${engine.url.replace('https', 'wss')}/app/engineData`, { ca: engine.ca });
    const [greeting] = (await once(socket, 'message')) as [Buffer];
    expect(JSON.parse(String(greeting))).toMatchObject({ method: 'OnConnected', params: { qSessionState: 'SESSION_CREATED' } });
    const scrape = await new Promise<string>((resolve, reject) => {
      https.get(engine.metricsUrl!, { ca: engine.ca }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () => resolve(text));
      }).on('error', reject);
    });
    expect(scrape).toMatch(/^qix_active_sessions 1$/m);
    const closed = once(socket, 'close');
    socket.close();
    await closed;
  } finally {
    await engine.close();
  }
});

it('takes the QIX limits from the command line', async () => {
  const served = await serveCli(['--port', '0', '--host', '127.0.0.1', '--scenario', 'empty', '--metrics-port', 'off', '--qix-max-message', '1kb', '--qix-max-connections', '1']);
  try {
    const first = new WebSocket(`${served.url.replace('http', 'ws')}/app/engineData`);
    await once(first, 'message');
    expect(await refusedUpgrade(`${served.url.replace('http', 'ws')}/app/engineData`)).toMatchObject({
      status: 503,
      body: { errors: [expect.objectContaining({ code: 'QIX_CONNECTION_LIMIT', meta: { limit: 1 } })] },
    });
    const closed = once(first, 'close');
    first.send('x'.repeat(2048));
    expect((await closed)[0]).toBe(1009);
  } finally {
    served.child.kill('SIGTERM');
    await served.exit;
  }
});

it('refuses the upgrade in proxy mode with a code that says why (the proxy relays REST calls only)', async () => {
  const engine = await startEngineDouble({ log: () => undefined });
  const proxy = await startEngineDouble({ proxy: { target: engine.url }, log: () => undefined });
  try {
    expect(await refusedUpgrade(`${proxy.url.replace('http', 'ws')}/app/engineData`)).toMatchObject({
      status: 501,
      body: { errors: [expect.objectContaining({ code: 'QIX_NOT_RELAYED' })] },
    });
  } finally {
    await Promise.all([proxy.close(), engine.close()]);
  }
});
