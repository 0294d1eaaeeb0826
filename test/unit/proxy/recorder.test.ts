import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Exchange } from '../../../src/proxy/relay';
import { ScenarioRecorder } from '../../../src/proxy/recorder';
import { loadScenario } from '../../../src/scenarios/registry';

function appRead(id: string, name: string): Exchange {
  return {
    method: 'GET',
    operationId: 'GET /v1/apps/{appId}',
    rawParams: { appId: id },
    requestBody: Buffer.alloc(0),
    status: 200,
    responseBody: Buffer.from(JSON.stringify({ attributes: { id, name } })),
    requestViolations: [],
    responseViolations: [],
  };
}

describe('ScenarioRecorder', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qed-recorder-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes DIR/<name>.yaml on flush, a scenario file the registry loads, and leaves no temporary file', async () => {
    const recorder = new ScenarioRecorder({ dir, name: 'checkout', source: 'http://engine:9076', debounceMs: 60_000 });
    recorder.observe(appRead('a1', 'One'));
    expect(fs.existsSync(recorder.file)).toBe(false); // not before the debounce or a flush
    await recorder.flush();
    expect(recorder.file).toBe(path.join(dir, 'checkout.yaml'));
    expect(fs.readdirSync(dir)).toEqual(['checkout.yaml']);
    const scenario = loadScenario('checkout', { scenariosDir: dir });
    expect(scenario.apps!.map((app) => app.attributes)).toEqual([expect.objectContaining({ id: 'a1', name: 'One' })]);
    expect(scenario.description).toMatch(/^Recorded by qlik-engine-double from http:\/\/engine:9076, started /);
  });

  it('writes an empty world on a flush when nothing was seen, so a recording always leaves a file', async () => {
    const recorder = new ScenarioRecorder({ dir });
    await recorder.flush();
    expect(loadScenario('recorded', { scenariosDir: dir }).apps).toEqual([]);
  });

  it('writes by itself shortly after a change', async () => {
    const recorder = new ScenarioRecorder({ dir, debounceMs: 1 });
    // No flush: only the recorder's own timer can make the file appear (the test's timeout bounds the wait).
    const written = new Promise<void>((resolve) => {
      const watcher = fs.watch(dir, () => {
        if (!fs.existsSync(recorder.file)) return;
        watcher.close();
        resolve();
      });
    });
    recorder.observe(appRead('a1', 'One'));
    await written;
    expect(loadScenario('recorded', { scenariosDir: dir }).apps).toHaveLength(1);
  });

  it('refuses a name that is not a scenario name', () => {
    expect(() => new ScenarioRecorder({ dir, name: '../escape' })).toThrow(/not a scenario name/);
  });

  it('refuses a folder that already holds another file of the same scenario name', () => {
    fs.writeFileSync(path.join(dir, 'recorded.json'), '{"name":"recorded"}');
    expect(() => new ScenarioRecorder({ dir })).toThrow(/recorded\.json already holds a scenario named 'recorded'/);
  });

  it('makes the folder when it does not exist yet', async () => {
    const nested = path.join(dir, 'a', 'b');
    const recorder = new ScenarioRecorder({ dir: nested });
    await recorder.flush();
    expect(fs.readdirSync(nested)).toEqual(['recorded.yaml']);
  });

  it('rejects a flush that cannot write, saying which file, and keeps no temporary file', async () => {
    const recorder = new ScenarioRecorder({ dir });
    fs.mkdirSync(recorder.file); // a folder where the file must go: rename fails
    await expect(recorder.flush()).rejects.toThrow(`${recorder.file} not written`);
    expect(fs.readdirSync(dir)).toEqual(['recorded.yaml']);
  });
});
