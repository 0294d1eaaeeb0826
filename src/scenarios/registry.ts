/**
 * Finds and reads scenario files: the shipped ones under the package's `scenarios/`, then a user's
 * `--scenarios-dir`, whose files win on equal names.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { doubleError } from '../errors';
import type { ScenarioDocument } from './types';

const SCENARIO_FILE = /\.(json|ya?ml)$/i;

/** The package's root, found from this file whether it runs from src/ (tests) or dist/src/ (built). */
function packageRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

export const BUILT_IN_SCENARIOS_DIR = path.join(packageRoot(), 'scenarios');

export interface ScenarioSources {
  /** A user's folder of scenario files, read after the shipped ones. */
  scenariosDir?: string;
}

/** Scenario name → file, from the file names (`busy.yaml` is `busy`). */
export function scenarioFiles(sources: ScenarioSources = {}): Map<string, string> {
  const files = new Map<string, string>();
  for (const dir of [BUILT_IN_SCENARIOS_DIR, sources.scenariosDir]) {
    if (!dir) continue;
    for (const file of fs.readdirSync(dir).sort()) {
      if (SCENARIO_FILE.test(file)) files.set(file.replace(SCENARIO_FILE, ''), path.join(dir, file));
    }
  }
  return files;
}

export function readScenarioFile(file: string): ScenarioDocument {
  const text = fs.readFileSync(file, 'utf8');
  return (/\.json$/i.test(file) ? JSON.parse(text) : YAML.parse(text)) as ScenarioDocument;
}

export function loadScenario(name: string, sources: ScenarioSources = {}): ScenarioDocument {
  const files = scenarioFiles(sources);
  const file = files.get(name);
  if (!file) {
    const known = [...files.keys()];
    throw doubleError('scenarioNotFound', { detail: `no scenario named '${name}'; known: ${known.join(', ')}`, meta: { known } });
  }
  return readScenarioFile(file);
}
