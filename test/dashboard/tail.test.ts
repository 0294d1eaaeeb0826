/**
 * GET /__control/events and `qlik-engine-double tail URL` over real sockets: the built CLI follows
 * a running double's journal, prints each request with its violations, honours the control token,
 * and the stream replays what the journal holds with ?since / Last-Event-ID.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { startEngineDouble, type EngineDouble } from '../../src/index';
import { MAX_EVENT_STREAMS } from '../../src/dashboard/events';
import { CLI, runCli } from '../support/cli';
import { freshGet } from '../support/raw-http';

const TOKEN = 'tail-Token_7';

let engine: EngineDouble;
beforeAll(async () => {
  engine = await startEngineDouble({ scenario: 'default', controlToken: TOKEN, log: () => undefined });
});
afterAll(() => engine.close());

/** Reads an SSE response until `wanted` events of type journal arrived; returns their data parsed. */
async function journalEvents(res: Response, wanted: number): Promise<{ id: string; entry: { sequence: number; path: string } }[]> {
  const events: { id: string; entry: { sequence: number; path: string } }[] = [];
  let text = '';
  const decoder = new TextDecoder();
  for await (const chunk of res.body!) {
    text += decoder.decode(chunk as Uint8Array, { stream: true });
    for (const match of text.matchAll(/event: journal\nid: (\d+)\ndata: (.*)\n\n/g)) {
      if (!events.some((e) => e.id === match[1])) events.push({ id: match[1]!, entry: JSON.parse(match[2]!) });
    }
    if (events.length >= wanted) break;
  }
  return events;
}

const auth = { authorization: `Bearer ${TOKEN}` };


describe('GET /__control/events', () => {
  it('refuses without the control token', async () => {
    const res = await fetch(`${engine.url}/__control/events`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe('UNAUTHORIZED');
  });

  it('streams each new journal entry as an event whose id is its sequence', async () => {
    const controller = new AbortController();
    const res = await fetch(`${engine.url}/__control/events`, { headers: auth, signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reading = journalEvents(res, 2);
    await fetch(`${engine.url}/v1/apps/not-there`);
    const events = await reading;
    controller.abort();
    // Its own request first, then the engine call.
    expect(events.map((e) => e.entry.path)).toEqual(['/__control/events', '/v1/apps/not-there']);
    expect(events.map((e) => Number(e.id))).toEqual(events.map((e) => e.entry.sequence));
  });

  it('replays what the journal holds after ?since or Last-Event-ID first', async () => {
    await fetch(`${engine.url}/health?mark=replay`);
    const journal = (await (await fetch(`${engine.url}/__control/journal`, { headers: auth })).json()) as { entries: { sequence: number; path: string }[] };
    const marked = journal.entries.find((e) => e.path === '/health?mark=replay')!;
    for (const headers of [{ ...auth }, { ...auth, 'last-event-id': String(marked.sequence - 1) }]) {
      const controller = new AbortController();
      const query = 'last-event-id' in headers ? '' : `?since=${marked.sequence - 1}`;
      const res = await fetch(`${engine.url}/__control/events${query}`, { headers, signal: controller.signal });
      const [first] = await journalEvents(res, 1);
      controller.abort();
      expect(first!.entry).toMatchObject({ sequence: marked.sequence, path: '/health?mark=replay' });
    }
  });

  it('cuts off a client that stops reading, instead of buffering for it without end', async () => {
    const other = await startEngineDouble({ log: () => undefined });
    const socket = net.connect(other.port, other.host);
    try {
      socket.write('GET /__control/events HTTP/1.1\r\nhost: double\r\n\r\n');
      // The stream is open once its first line arrives; from then on the client reads nothing.
      let received = (await once(socket, 'data'))[0].length as number;
      socket.pause();
      // 32 MiB of events, far more than socket buffers and the limit hold.
      const path = `/${'x'.repeat(64 * 1024)}`;
      const sent = 512;
      for (let i = 0; i < sent; i += 1) {
        other.runtime.journal.record({ time: new Date().toISOString(), method: 'GET', path, durationMs: 0, requestViolations: [], responseViolations: [] });
      }
      socket.on('data', (chunk: Buffer) => (received += chunk.length));
      const closed = once(socket, 'close');
      socket.resume();
      await closed;
      // Cut off: without the limit the whole 32 MiB would come, and the stream would stay open.
      expect(received).toBeLessThan((sent * path.length) / 4);
    } finally {
      socket.destroy();
      await other.close();
    }
  });

  it('replays a journal larger than the unread limit whole, however slowly it is read', async () => {
    const other = await startEngineDouble({ log: () => undefined });
    try {
      const path = `/${'y'.repeat(64 * 1024)}`;
      const held = 64; // 4 MiB
      for (let i = 0; i < held; i += 1) {
        other.runtime.journal.record({ time: new Date().toISOString(), method: 'GET', path, durationMs: 0, requestViolations: [], responseViolations: [] });
      }
      const controller = new AbortController();
      const res = await fetch(`${other.url}/__control/events?since=0`, { signal: controller.signal });
      const events = await journalEvents(res, held);
      controller.abort();
      expect(events.slice(0, held).map((e) => e.entry.sequence)).toEqual(Array.from({ length: held }, (_, i) => i + 1));
    } finally {
      await other.close();
    }
  });

  it(`serves at most ${MAX_EVENT_STREAMS} streams at once, refusing the next with 429 STREAM_LIMIT until one closes`, async () => {
    const other = await startEngineDouble({ log: () => undefined });
    const readers = new AbortController();
    try {
      const open = await Promise.all(Array.from({ length: MAX_EVENT_STREAMS }, () => fetch(`${other.url}/__control/events`, { signal: readers.signal })));
      expect(open.map((res) => res.status)).toEqual(open.map(() => 200));
      const refused = await fetch(`${other.url}/__control/events`);
      expect(refused.status).toBe(429);
      expect(await refused.json()).toMatchObject({ errors: [{ code: 'STREAM_LIMIT', meta: { limit: MAX_EVENT_STREAMS } }] });
      // A reader that leaves frees its place: the double learns it when the socket closes, so ask again until it has.
      await open[0]!.body!.cancel();
      let again = await fetch(`${other.url}/__control/events`, { signal: readers.signal });
      for (let tries = 0; again.status === 429 && tries < 200; tries += 1) {
        await again.arrayBuffer();
        again = await fetch(`${other.url}/__control/events`, { signal: readers.signal });
      }
      expect(again.status).toBe(200);
    } finally {
      readers.abort();
      await other.close();
    }
  });

  it('ends open streams cleanly when the double closes', async () => {
    const other = await startEngineDouble({ log: () => undefined });
    const res = await fetch(`${other.url}/__control/events`);
    await other.close();
    // Ended, not cut: a stream left to the grace would have its socket destroyed, and reading it would reject.
    await expect(res.text()).resolves.toContain(': qlik-engine-double journal');
  });
});

describe('qlik-engine-double tail', () => {
  /** Run after each test, passed or timed out, so no tail process or double outlives it. */
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('prints each request as it arrives, with its violation, reading a real socket', async () => {
    const child = spawn(process.execPath, [CLI, 'tail', engine.url, '--token', TOKEN], { env: { ...process.env, CONTROL_TOKEN: '' } });
    let out = '';
    const seen = (text: string) =>
      new Promise<void>((resolve) => {
        const check = () => out.includes(text) && resolve();
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          check();
        });
        check();
      });
    try {
      // Its own request shows once the stream is open.
      await seen('GET  /__control/events');
      await fetch(`${engine.url}/v1/apps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ attributes: { name: 5 } }) });
      await seen('VIOLATION');
      const line = out.split('\n').find((l) => l.includes('POST  /v1/apps'));
      expect(line).toMatch(/POST {2}\/v1\/apps {2}400 {2}[\d.]+ms {2}\(POST \/v1\/apps\) {2}VIOLATION type at \/attributes\/name/);
    } finally {
      child.kill();
      await once(child, 'exit');
    }
  });

  it('reads a restarted double\'s new journal from its start, though its sequences began again', async () => {
    const first = await startEngineDouble({ log: () => undefined });
    const port = Number(new URL(first.url).port);
    cleanups.push(() => first.close());
    const child = spawn(process.execPath, [CLI, 'tail', first.url], { env: { ...process.env, CONTROL_TOKEN: '' } });
    cleanups.push(() => {
      const exited = once(child, 'exit');
      child.kill();
      return exited;
    });
    const printed = { out: '', err: '' };
    const waiters = new Set<() => void>();
    child.stdout.on('data', (d: Buffer) => ((printed.out += d.toString()), waiters.forEach((w) => w())));
    child.stderr.on('data', (d: Buffer) => ((printed.err += d.toString()), waiters.forEach((w) => w())));
    /** Resolves once `stream` of tail has printed `text`. */
    const seen = (stream: keyof typeof printed, text: string) =>
      new Promise<void>((resolve) => {
        const check = () => printed[stream].includes(text) && (waiters.delete(check), resolve());
        waiters.add(check);
        check();
      });

    await seen('out', 'GET  /__control/events');
    for (let i = 0; i < 3; i += 1) await freshGet(`${first.url}/v1/apps/before-restart-${i}`);
    await seen('out', '/v1/apps/before-restart-2');
    const ended = seen('err', 'the stream ended');
    await first.close();
    await ended;
    // The new double journals this as its entry 1, below the sequence tail would resume after.
    const second = await startEngineDouble({ port, log: () => undefined });
    cleanups.push(() => second.close());
    await freshGet(`${second.url}/v1/apps/after-restart`);
    await seen('out', '/v1/apps/after-restart');
    expect(printed.err).toContain('restarted: its journal began again; reading it from the start');
    expect(printed.out.split('\n').find((line) => line.includes('/v1/apps/after-restart'))).toMatch(/#1 {2}GET {2}\/v1\/apps\/after-restart {2}404/);
  });

  it('fails with the 401 when the token is missing', async () => {
    const run = await runCli(['tail', engine.url], { ...process.env, CONTROL_TOKEN: '' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('answered 401');
  });
});
