import { checkCommand } from '../../../src/check/command';
import { startEngineDouble, type EngineDouble } from '../../../src/index';

let engine: EngineDouble;
beforeAll(async () => {
  engine = await startEngineDouble({ port: 0, log: () => undefined });
});
afterAll(() => engine.close());

function io(withProgress: boolean) {
  const out = { table: '', progress: [] as string[], failed: 0 };
  return {
    out,
    io: {
      write: (text: string) => (out.table += text),
      ...(withProgress ? { progress: (text: string) => out.progress.push(text) } : {}),
      fail: () => (out.failed += 1),
    },
  };
}

describe('checkCommand', () => {
  it('writes one progress line per call when given a progress writer (a TTY), then the table', async () => {
    const { out, io: checkIo } = io(true);
    await checkCommand(checkIo).parseAsync([engine.url], { from: 'user' });
    expect(out.progress).toHaveLength(20);
    expect(out.progress[0]).toMatch(/^check: GET \/health 200 ok \d+ ms\n$/);
    expect(out.progress[4]).toBe('check: POST /v1/apps skipped - needs --mutating (it creates, changes and removes an app)\n');
    expect(out.table).toMatch(/^passed: 20 calls/m);
    expect(out.failed).toBe(0);
    expect(engine.runtime.journal.list().slice(-1)[0]?.path).toBe('/v1/apps/privileges');
  });

  it('writes no progress without a writer, and calls fail() once when a call failed', async () => {
    const { out, io: checkIo } = io(false);
    // Nothing listens on the double's port once it is closed: every call fails to connect.
    const gone = await startEngineDouble({ port: 0, log: () => undefined });
    await gone.close();
    await checkCommand(checkIo).parseAsync([gone.url], { from: 'user' });
    expect(out.progress).toEqual([]);
    expect(out.table).toMatch(/^FAILED: 20 calls .*: 0 ok, 4 failed, 16 skipped$/m);
    expect(out.failed).toBe(1);
  });
});
