import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { runCli, serveCli, tableRow, type ServedCli } from '../support/cli';
import { httpsRequest } from '../support/https';

const serve = (args: string[]) => serveCli(['--host', '127.0.0.1', '--port', '0', ...args]);

async function stop(served: ServedCli): Promise<void> {
  served.child.kill('SIGTERM');
  await served.exit;
}

describe('qlik-engine-double serve: metrics, base path and TLS', () => {
  it('serves metrics on the port asked for and prints where', async () => {
    const served = await serve(['--metrics-port', '0', '--metrics-format', 'json']);
    try {
      const metricsUrl = /^metrics on (http:\/\/\S+)$/m.exec(served.stdout())?.[1];
      expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const body = (await (await fetch(metricsUrl!)).json()) as { name: string }[];
      expect(body.map((family) => family.name)).toContain('qix_active_sessions');
    } finally {
      await stop(served);
    }
  });

  it('stops with a clear message when the metrics port asked for is taken', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const { port } = blocker.address() as { port: number };
    try {
      const run = await runCli(['serve', '--host', '127.0.0.1', '--port', '0', '--metrics-port', String(port)]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`the metrics port ${port} is taken`);
    } finally {
      blocker.close();
    }
  });

  it('serves a self-signed HTTPS double under a base path that check passes through, trusting the printed CA', async () => {
    const served = await serve(['--tls-self-signed', '--base-path', '/engine', '--metrics-port', 'off']);
    try {
      expect(served.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/engine$/);
      expect(served.stdout()).not.toContain('metrics on');
      const caFile = /^self-signed TLS: trust the CA in (\S+)$/m.exec(served.stdout())?.[1];
      const ca = readFileSync(caFile!, 'utf8');
      expect((await httpsRequest(`${served.url}/healthcheck`, { ca })).status).toBe(200);
      expect((await httpsRequest(`${served.url}/__control/journal`, { ca })).status).toBe(200);
      const checked = await runCli(['check', served.url], { ...process.env, NODE_EXTRA_CA_CERTS: caFile });
      expect(checked.stderr).toBe('');
      expect(tableRow(checked.stdout, 'GET /healthcheck')).toContain('ok');
      expect(checked.code).toBe(0);
    } finally {
      await stop(served);
    }
  });

  it.each([
    [['--tls-cert', '/no/such/cert.pem', '--tls-key', '/no/such/key.pem'], 'cannot read /no/such/cert.pem (ENOENT)'],
    [['--tls-cert', __filename, '--tls-key', __filename], 'TLS: the certificate, key or CA cannot be used'],
    [['--tls-self-signed', '--tls-client-cert', 'required'], 'needs the CA that signs them (--tls-ca)'],
    [['--base-path', 'api'], 'must look like /api'],
    [['--metrics-port', 'ninety'], 'expected a whole number from 0 to 65535, or off'],
  ])('refuses %j', async (args, message) => {
    const run = await runCli(['serve', '--host', '127.0.0.1', '--port', '0', '--metrics-port', 'off', ...args]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(message);
  });
});
