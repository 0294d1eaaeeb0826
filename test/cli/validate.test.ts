/**
 * `qlik-engine-double validate` run as users run it in CI: the built CLI on folders of scenario
 * files, good and broken, checking exit codes and the file#pointer lines it prints.
 */
import path from 'node:path';
import { runCli } from '../support/cli';
import { scenarioFolders } from '../support/scenario-folders';


const validate = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runCli(['validate', ...args], { ...process.env, SCENARIOS_DIR: '', ...env });

const folders = scenarioFolders('validate-test-');
const { folder } = folders;

describe('qlik-engine-double validate', () => {
  it('passes the shipped scenarios with a one-line summary and exit 0', async () => {
    const { code, stdout, stderr } = await validate([]);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^ok: every scenario file is valid \(\d+ shipped\)\n$/);
    expect(code).toBe(0);
  });

  it('passes a folder of valid scenarios, YAML and JSON, one of them replacing a shipped name', async () => {
    const dir = folder('good', {
      'checkout.yaml': 'name: checkout\ncondition: busy\napps:\n  - attributes: { id: a1, name: Sales, published: true }\n    media:\n      thumbs/a.txt: { text: hi }\n',
      'default.json': JSON.stringify({ name: 'default', apps: [] }),
      'notes.md': 'not a scenario file: ignored',
    });
    const { code, stdout } = await validate(['--scenarios-dir', dir]);
    expect(stdout).toMatch(new RegExp(`^ok: every scenario file is valid \\(\\d+ shipped and 2 in ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)\n$`));
    expect(code).toBe(0);
  });

  it('fails a broken folder with one file#pointer line per problem, whatever kind, and exit 1', async () => {
    const dir = folder('broken', {
      'types.yaml': 'name: types\napps:\n  - attributes: { name: Sales, published: "yes" }\n  - atributes: { name: Typo }\n',
      'misnamed.yaml': 'name: something-else\n',
      'keys.yaml': 'name: keys\nname: keys\n',
      'contract.json': JSON.stringify({ name: 'contract', sessions: [{ sessionid: 's1', ttl: 'forever', state: 'sleeping' }] }),
      'twice.json': '{"name": "twice"}',
      'twice.yaml': 'name: twice\n',
    });
    const { code, stdout } = await validate(['--scenarios-dir', dir]);
    const lines = stdout.trimEnd().split('\n');
    const at = (file: string) => path.join(dir, file);
    expect(lines).toEqual([
      `${at('twice.json')} and ${at('twice.yaml')} both hold a scenario named 'twice'; keep one`,
      `${at('contract.json')}#/sessions/0/ttl must be integer (type)`,
      `${at('contract.json')}#/sessions/0/state must be one of "active", "stalled" (enum)`,
      `${at('keys.yaml')}:2:1 Map keys must be unique (yaml)`,
      `${at('misnamed.yaml')}#/name is "something-else" but the file holds the scenario "misnamed": name and file name must match (fileName)`,
      `${at('types.yaml')}#/apps/1/attributes is required (required)`,
      `${at('types.yaml')}#/apps/1/atributes is not a property this object may have (additionalProperties)`,
      `${at('types.yaml')}#/apps/0/attributes/published must be boolean (type)`,
      '',
      expect.stringMatching(new RegExp(`^FAILED: 8 problems in the scenario files \\(\\d+ shipped and \\d+ in ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)$`)),
    ]);
    expect(code).toBe(1);
  });

  it('fails a folder it cannot read, and reads the folder from SCENARIOS_DIR as serve does', async () => {
    const missing = path.join(folders.workdir, 'not-there');
    const { code, stdout } = await validate([], { SCENARIOS_DIR: missing });
    expect(stdout).toContain(`the scenarios folder ${missing} cannot be read (ENOENT)`);
    expect(stdout).toContain('FAILED: 1 problem in the scenario files');
    expect(code).toBe(1);
  });
});
