import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { CLI, runCli, serveCli } from '../support/cli';
import { sampleValue, scrapeText } from '../support/prometheus';

/** Starts the built CLI and resolves with the URL from its "listening on" line. */
const serve = (args: string[], env: NodeJS.ProcessEnv = {}) => serveCli(args, { ...process.env, ...env });

function exitOf(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return once(child, 'exit').then(([code]) => code as number | null);
}

/** Resolves once `condition` holds, asking again each turn of the event loop (bounded by the test's timeout). */
async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await nextTurn();
}

/** Whether a TCP connection to the URL's port is accepted. */
function connects(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

describe('qlik-engine-double serve', () => {
  it('prints the address it listens on, serves /health, and exits 0 on SIGTERM', async () => {
    const { child, url } = await serve(['--port', '0', '--host', '127.0.0.1']);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toMatch(/:0$/);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const exited = exitOf(child);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('finishes an in-flight request before exiting on SIGINT', async () => {
    const { child, url, stdout } = await serve(['--port', '0', '--host', '127.0.0.1', '--metrics-port', '0']);
    const metricsUrl = /^metrics on (\S+)$/m.exec(stdout())![1]!;
    // A request whose body is still arriving when the signal comes.
    const request = http.request(`${url}/v1/apps`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    const answer = once(request, 'response').then(([res]) => {
      (res as http.IncomingMessage).resume();
      return (res as http.IncomingMessage).statusCode;
    });
    request.write('{"attributes":');
    // The double counts the request as soon as its head arrives: signal only then.
    await until(async () => sampleValue(await scrapeText(metricsUrl), 'qix_active_requests') === 1);
    child.kill('SIGINT');
    // A stopping double takes no new connection: the rest of the body comes only once it is stopping.
    await until(() => connects(url).then((accepted) => !accepted));
    request.end('{"name":"late"}}');
    const exited = exitOf(child);
    expect(await answer).toBe(200);
    expect(await exited).toBe(0);
  });

  it('takes its flags from environment variables', async () => {
    const { child, url } = await serve([], { PORT: '0', HOST: '127.0.0.1', VALIDATION: 'warn' });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    child.kill('SIGTERM');
    expect(await exitOf(child)).toBe(0);
  });

  it('refuses a bad flag value with exit 1 and says which', async () => {
    const child = spawn(process.execPath, [CLI, 'serve', '--validation', 'loose']);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    expect(await exitOf(child)).toBe(1);
    expect(stderr).toMatch(/--validation <mode>.*loose/);
  });

  it('holds at most --max-namespaces namespaces (MAX_NAMESPACES from the environment), and refuses a negative one', async () => {
    for (const [args, env] of [[['--max-namespaces', '1'], {}], [[], { MAX_NAMESPACES: '1' }]] as const) {
      const { child, url } = await serve(['--port', '0', '--host', '127.0.0.1', ...args], env);
      expect(await (await fetch(`${url}/__control/namespaces`)).json()).toMatchObject({ limit: 1 });
      expect((await fetch(`${url}/health`, { headers: { 'x-engine-double-namespace': 'a' } })).status).toBe(200);
      expect((await fetch(`${url}/health`, { headers: { 'x-engine-double-namespace': 'b' } })).status).toBe(429);
      child.kill('SIGTERM');
      expect(await exitOf(child)).toBe(0);
    }
    const refused = await runCli(['serve', '--max-namespaces', '-1']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/--max-namespaces <n>.*expected a whole number from 0 to 100000/);
  });

  it('refuses an unknown scenario with exit 1 and the known names', async () => {
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--scenario', 'nope']);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    expect(await exitOf(child)).toBe(1);
    expect(stderr).toMatch(/no scenario named 'nope'; known: .*default/);
  });

  it('warns at start when a secured scenario runs without --control-token, and not with one (issue 12, item 9)', async () => {
    const unguarded = await serveCli(['--port', '0', '--host', '127.0.0.1', '--scenario', 'secured'], { ...process.env, CONTROL_TOKEN: '' });
    unguarded.child.kill('SIGTERM');
    expect(await unguarded.exit).toBe(0);
    expect(unguarded.stderr()).toMatch(/warning: secured is secured but the control API has no token: .*turn authorisation off; start with --control-token/);
    const guarded = await serveCli(['--port', '0', '--host', '127.0.0.1', '--scenario', 'secured', '--control-token', 'c0ntrol']);
    guarded.child.kill('SIGTERM');
    expect(await guarded.exit).toBe(0);
    expect(guarded.stderr()).not.toMatch(/warning/);
  });

  it('on SIGTERM answers an in-flight request with Connection: close and exits as soon as it is done (issue 12, item 6)', async () => {
    const { child, url, exit } = await serve(['--port', '0', '--host', '127.0.0.1']);
    const agent = new http.Agent({ keepAlive: true });
    // An idle keep-alive connection, then a request the double takes 300 ms to answer.
    await new Promise((resolve) => http.get(`${url}/health`, { agent }, (res) => res.resume().on('end', resolve)));
    await fetch(`${url}/__control/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rules: [{ path: '/v1/apps/privileges', latencyMs: 300 }] }) });
    const calls = async () => ((await (await fetch(`${url}/healthcheck`)).json()) as { apps: { calls: number } }).apps.calls;
    const before = await calls();
    const answered = new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get(`${url}/v1/apps/privileges`, { agent: new http.Agent({ keepAlive: true }) }, (res) => res.resume().on('end', () => resolve(res))).on('error', reject);
    });
    // The double has begun the slow request once its call counter passed it (each probe counts one too).
    for (let probes = 1; (await calls()) < before + probes + 1; probes += 1);
    // What happened, in order: a kept idle socket would close only when the grace period cuts it, after the answer.
    const order: string[] = [];
    const idle = Object.values(agent.freeSockets).flat()[0]!;
    const idleClosed = once(idle, 'close').then(() => order.push('idle socket closed'));
    void answered.then(() => order.push('in-flight answered'));
    child.kill('SIGTERM');
    const res = await answered;
    expect(res.statusCode).toBe(200);
    expect(res.headers.connection).toBe('close');
    expect(await exit).toBe(0);
    order.push('exited');
    await idleClosed;
    expect(order).toEqual(['idle socket closed', 'in-flight answered', 'exited']);
    agent.destroy();
  });
});
