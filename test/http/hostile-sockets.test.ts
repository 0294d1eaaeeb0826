/**
 * Issue 12 (items 6, 7): what the double does with sockets that promise more than they send, and
 * with connections open when it stops. (The readable 413 of issue 11 is in test/cli/body-limit.test.ts.)
 */
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { startEngineDouble, type EngineDouble } from '../../src/index';
import { errorsOf } from '../support/double';

/** Resolves once the double has begun handling `count` requests since `from` (its call counter), without sleeping. */
async function untilCalls(engine: EngineDouble, count: number): Promise<void> {
  while (engine.runtime.stats.calls < count) await nextTurn();
}

/** Opens a socket, sends `head` (and `body`), and resolves with everything the server sends until it closes. */
function rawExchange(engine: EngineDouble, head: string, body = ''): { socket: net.Socket; answer: Promise<string> } {
  const socket = net.connect(engine.port, engine.host);
  socket.write(head + body);
  const answer = new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
  });
  return { socket, answer };
}

describe('item 7: sockets that promise large bodies', () => {
  it('allocate nothing for bytes that have not arrived, and a stalled body gets 408 BODY_TIMEOUT and a closed connection', async () => {
    const engine = await startEngineDouble({ log: () => undefined, bodyTimeoutMs: 300 });
    try {
      const sockets = 20;
      const before = process.memoryUsage().arrayBuffers;
      const exchanges = Array.from({ length: sockets }, () =>
        rawExchange(engine, `POST /v1/apps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${50 * 1024 * 1024}\r\n\r\n`, '{"attribu'),
      );
      await untilCalls(engine, sockets);
      // 20 bodies of 50 MB allocated up front would be 1 GB here.
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(100 * 1024 * 1024);
      for (const answer of await Promise.all(exchanges.map((e) => e.answer))) {
        expect(answer).toMatch(/^HTTP\/1\.1 408 /);
        expect(answer).toMatch(/\r\nconnection: close\r\n/i);
        expect(errorsOf(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)))[0]).toMatchObject({ code: 'BODY_TIMEOUT', meta: { timeoutMs: 300 } });
      }
    } finally {
      await engine.close();
    }
  });
});

describe('item 7 in proxy mode', () => {
  it('a body that stalls is answered 408 before the engine hears of it', async () => {
    // Nothing listens on the target: the body is read, and refused, before the engine is asked.
    const engine = await startEngineDouble({ log: () => undefined, bodyTimeoutMs: 200, proxy: { target: 'http://127.0.0.1:9' } });
    try {
      const { answer } = rawExchange(engine, 'POST /v1/apps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n', '{"attr');
      const text = await answer;
      expect(text).toMatch(/^HTTP\/1\.1 408 /);
      expect(errorsOf(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)))[0]).toMatchObject({ code: 'BODY_TIMEOUT' });
    } finally {
      await engine.close();
    }
  });
});

describe('item 6: stopping with keep-alive connections', () => {
  it('answers an in-flight request with Connection: close, closes idle sockets at once, and resolves as soon as the last request is done', async () => {
    const engine = await startEngineDouble({ log: () => undefined });
    const agent = new http.Agent({ keepAlive: true });
    try {
      const faults = await fetch(`${engine.url}/__control/faults`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ rules: [{ method: 'GET', path: '/v1/apps/privileges', latencyMs: 200 }] }),
      });
      expect(faults.status).toBe(200);
      // An idle keep-alive socket: one request done, the connection kept.
      const idle = net.connect(engine.port, engine.host);
      idle.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
      await once(idle, 'data');
      /** What happened, in order: a kept idle socket would close only when the grace period cuts it, after the answer. */
      const order: string[] = [];
      const idleClosed = once(idle, 'close').then(() => order.push('idle socket closed'));
      const calls = engine.runtime.stats.calls;
      const inFlight = new Promise<http.IncomingMessage>((resolve, reject) => {
        http.get(`${engine.url}/v1/apps/privileges`, { agent }, (res) => {
          res.resume();
          res.on('end', () => {
            order.push('in-flight answered');
            resolve(res);
          });
        }).on('error', reject);
      });
      await untilCalls(engine, calls + 1);
      await engine.close();
      order.push('close resolved');
      const res = await inFlight;
      expect(res.statusCode).toBe(200);
      expect(res.headers.connection).toBe('close');
      await idleClosed;
      // The idle socket went first; the answer's end and close() may reach this process in either order.
      expect(order[0]).toBe('idle socket closed');
      expect(order.slice(1).sort()).toEqual(['close resolved', 'in-flight answered']);
    } finally {
      agent.destroy();
      await engine.close();
    }
  });
});
