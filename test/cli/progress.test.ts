/**
 * `serve --scenario large` draws its generation progress on a terminal, and only there. A
 * terminal comes from `script` (util-linux), which gives the CLI a pseudo-terminal.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';

const CLI = path.join(__dirname, '../../dist/src/cli.js');
const SCRIPT = '/usr/bin/script';

/** Serves `large` until it prints its address, then stops it; resolves with what it wrote to stderr (or to the terminal). */
async function serveLarge(onTerminal: boolean): Promise<string> {
  const serve = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} serve --port 0 --host 127.0.0.1 --scenario large`;
  const child = onTerminal
    ? spawn(SCRIPT, ['-qec', serve, '/dev/null'], { env: { ...process.env, SCENARIO: '' } })
    : spawn(process.execPath, [CLI, 'serve', '--port', '0', '--host', '127.0.0.1', '--scenario', 'large']);
  let output = '';
  const collect = (d: Buffer) => {
    output += d.toString();
    // SIGINT, as a terminal's Ctrl-C: script passes it on to the double, which exits 0.
    if (/listening on http/.test(output)) child.kill('SIGINT');
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', (d: Buffer) => (onTerminal ? collect(d) : (output += `[stderr]${d.toString()}`)));
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await once(child, 'exit');
  clearTimeout(killer);
  return output;
}

const onLinuxWithScript = existsSync(SCRIPT) ? it : it.skip;

describe('progress of the large scenario', () => {
  onLinuxWithScript('is one line redrawn in place on a terminal, ending at 5000/5000', async () => {
    const output = await serveLarge(true);
    expect(output).toContain('\rscenario large: generating apps 250/5000\rscenario large: generating apps 500/5000');
    // The terminal turns the line's final \n into \r\n.
    expect(output).toMatch(/\rscenario large: generating apps 5000\/5000\r?\n/);
    expect(output).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
  });

  it('is not written when stderr is not a terminal', async () => {
    const output = await serveLarge(false);
    expect(output).toMatch(/listening on http/);
    expect(output).not.toContain('[stderr]');
  });
});
