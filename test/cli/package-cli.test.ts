/**
 * What a user of the installed CLI meets first: `--version`, and how `serve` reports scenario
 * problems: a bad start scenario one problem a line (as `validate` prints them), a bad file in
 * --scenarios-dir named at start while the good ones still list.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, serveCli } from '../support/cli';
import { scenarioFolders } from '../support/scenario-folders';

const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ ...process.env, SCENARIOS_DIR: '', ...extra });

const { folder } = scenarioFolders('package-cli-test-');

describe('qlik-engine-double --version', () => {
  it("prints the package's version and exits 0", async () => {
    const { version } = JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const run = await runCli([flag], env());
      expect(run).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });
});

describe('qlik-engine-double serve and scenario problems', () => {
  it('refuses a start scenario with several problems, one problem a line, exit 1', async () => {
    const dir = folder('broken-start', { 'shop.yaml': 'name: shop\ncondtion: busy\napps:\n  - attributes: { published: "yes" }\n' });
    const run = await runCli(['serve', '--port', '0', '--metrics-port', 'off', '--scenarios-dir', dir, '--scenario', 'shop'], env());
    expect(run.code).toBe(1);
    const file = path.join(dir, 'shop.yaml');
    expect(run.stderr.split('\n')).toEqual([
      'qlik-engine-double: 2 problems:',
      `${file}#/condtion is not a property this object may have (additionalProperties)`,
      `${file}#/apps/0/attributes/published must be boolean (type)`,
      '',
    ]);
  });

  it('starts with a --scenarios-dir holding an unparsable file, names it on stderr, and lists the good ones', async () => {
    const dir = folder('one-bad', { 'good.yaml': 'name: good\ndescription: a good one\n', 'bad.json': '{"name": "bad", ' });
    const served = await serveCli(['--port', '0', '--metrics-port', 'off', '--host', '127.0.0.1', '--scenarios-dir', dir], env());
    try {
      const listing = (await (await fetch(`${served.url}/__control/scenarios`)).json()) as { scenarios: { name: string; source: string }[] };
      expect(listing.scenarios.filter((s) => s.source === 'user').map((s) => s.name)).toEqual(['good']);
      expect(served.stderr()).toMatch(new RegExp(`^scenario file left out: ${path.join(dir, 'bad.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1:\\d+ .+ \\(json\\)$`, 'm'));
      const refused = await fetch(`${served.url}/__control/scenario`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"name":"bad"}' });
      expect(refused.status).toBe(400);
      const refusal = ((await refused.json()) as { errors: { code: string; detail: string }[] }).errors[0]!;
      expect(refusal.code).toBe('INVALID_SCENARIO');
      expect(refusal.detail).toContain('bad.json');
    } finally {
      served.child.kill('SIGTERM');
      await served.exit;
    }
  });
});
