/**
 * `qlik-engine-double validate [--scenarios-dir DIR]`: checks every scenario file the double would
 * load (the shipped ones and the folder's) against the scenario schema, the engine's contract and
 * the engine's rules, with the registry's own checks (src/scenarios/registry.ts), so a fixture that
 * passes here starts. Prints one `file#pointer message (rule)` line per problem and fails; with no
 * problem, one summary line.
 */
import { Command, Option } from 'commander';
import { DoubleError, type Problem } from '../errors';
import { BUILT_IN_SCENARIOS_DIR, scenarioFiles, validateScenariosDir } from '../scenarios/registry';
import type { CommandIo } from './io';

/** The report of a validation: one line per problem, then the verdict. Pure. */
export function formatValidation(problems: readonly Problem[], counts: { shipped: number; user: number }, dir: string | undefined): string {
  const files = `${counts.shipped} shipped${dir ? ` and ${counts.user} in ${dir}` : ''}`;
  if (problems.length === 0) return `ok: every scenario file is valid (${files})\n`;
  const lines = problems.map((problem) => problem.detail);
  return `${lines.join('\n')}\n\nFAILED: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the scenario files (${files})\n`;
}

/** How many files each folder holds (a folder that cannot be read counts 0: its problem says why). */
function fileCounts(dir: string | undefined): { shipped: number; user: number } {
  const count = (sources: { scenariosDir?: string }, source: 'shipped' | 'user') => {
    try {
      return [...scenarioFiles(sources).values()].filter((file) => file.source === source).length;
    } catch (error) {
      if (error instanceof DoubleError) return 0;
      throw error;
    }
  };
  return { shipped: count({}, 'shipped'), user: dir ? count({ scenariosDir: dir }, 'user') : 0 };
}

/** The `validate` command, for `program.addCommand(validateCommand(io))`. */
export function validateCommand(io: CommandIo): Command {
  return new Command('validate')
    .description('check every scenario file (shipped and --scenarios-dir) against the scenario schema and the engine contract; exit 1 on any problem')
    .addOption(new Option('--scenarios-dir <dir>', 'a folder of your own scenario files').env('SCENARIOS_DIR'))
    .action((flags: { scenariosDir?: string }) => {
      // An empty value (SCENARIOS_DIR= in a compose file) means none, as for serve.
      const dir = flags.scenariosDir || undefined;
      const problems = [...validateScenariosDir(BUILT_IN_SCENARIOS_DIR), ...(dir ? validateScenariosDir(dir) : [])];
      io.write(formatValidation(problems, fileCounts(dir), dir));
      if (problems.length > 0) io.fail();
    });
}
