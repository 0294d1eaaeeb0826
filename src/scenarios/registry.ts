/**
 * Finds, reads and loads scenario files: the shipped ones under the package's `scenarios/`, then a
 * user's `--scenarios-dir`, whose files win on equal names. A file holds one scenario whose `name`
 * is its file name; a `.json` file is parsed as JSON (duplicate keys found by jsonc-parser) and a
 * YAML one as YAML, both with line numbers in errors, and both refuse duplicate keys.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseJsonTree, visit as visitJson, type ParseError } from 'jsonc-parser';
import type { YAMLError } from 'yaml';
import { DoubleError, doubleError, type Problem } from '../errors';
import { artefactPath } from '../precompiled';
import { isJsonObject } from '../state/scenario-apps';
import type { ScenarioDocument } from './types';
import { prepareScenarioInWorker, scenarioProblem, scenarioProblems, validateScenarioDocument, type PrepareOptions } from './validate';

const SCENARIO_FILE = /\.(json|ya?ml)$/i;

/** Largest scenario file read; a bigger one is refused before it is parsed. */
export const MAX_SCENARIO_FILE_BYTES = 64 * 1024 * 1024;
/** Most aliases a YAML file may expand (guards against alias bombs). */
const MAX_YAML_ALIASES = 100;

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

export const PACKAGE_ROOT = packageRoot();
export const BUILT_IN_SCENARIOS_DIR = path.join(PACKAGE_ROOT, 'scenarios');

export interface ScenarioSources {
  /** A user's folder of scenario files, read after the shipped ones. */
  scenariosDir?: string;
}

export interface LoadOptions extends ScenarioSources, PrepareOptions {}

/** One scenario file found. */
export interface ScenarioFile {
  name: string;
  /** The file as problems name it: "scenarios/busy.yaml" for shipped ones, under the folder as given for a user's. */
  file: string;
  /** Where it is read from. */
  path: string;
  source: 'shipped' | 'user';
}

/** What GET /__control/scenarios lists of a file. */
export interface ScenarioListing {
  name: string;
  description?: string;
  file: string;
  source: 'shipped' | 'user';
}

function folderProblem(dir: string, error: unknown): Problem {
  const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return { detail: `the scenarios folder ${dir} cannot be read (${reason})`, meta: { file: dir, rule: 'readable' } };
}

/** The scenario files of one folder; two files with one name (a.json, a.yaml) are a problem. */
function filesIn(dir: string, source: ScenarioFile['source']): { files: ScenarioFile[]; problems: Problem[] } {
  let entries: string[];
  try {
    entries = fs.readdirSync(dir).sort();
  } catch (error) {
    return { files: [], problems: [folderProblem(dir, error)] };
  }
  const shownDir = source === 'shipped' ? path.relative(PACKAGE_ROOT, dir) : dir;
  const files: ScenarioFile[] = [];
  const problems: Problem[] = [];
  for (const entry of entries.filter((e) => SCENARIO_FILE.test(e))) {
    const file: ScenarioFile = { name: entry.replace(SCENARIO_FILE, ''), file: path.join(shownDir, entry), path: path.join(dir, entry), source };
    const twin = files.find((f) => f.name === file.name);
    if (twin) {
      problems.push({ detail: `${twin.file} and ${file.file} both hold a scenario named '${file.name}'; keep one`, meta: { file: file.file, rule: 'uniqueName' } });
    } else {
      files.push(file);
    }
  }
  return { files, problems };
}

/** Scenario name → file, shipped ones first, then the user's, which win on equal names. */
export function scenarioFiles(sources: ScenarioSources = {}): Map<string, ScenarioFile> {
  const found = new Map<string, ScenarioFile>();
  const problems: Problem[] = [];
  const folders: [string, ScenarioFile['source']][] = [[BUILT_IN_SCENARIOS_DIR, 'shipped']];
  // An empty value (SCENARIOS_DIR= in a compose file) means none.
  if (sources.scenariosDir) folders.push([sources.scenariosDir, 'user']);
  for (const [dir, source] of folders) {
    const listed = filesIn(dir, source);
    problems.push(...listed.problems);
    for (const file of listed.files) found.set(file.name, file);
  }
  if (problems.length > 0) throw doubleError('invalidScenario', problems);
  return found;
}

/** A problem the YAML parser found in a YAML file. */
function yamlProblem(file: string, error: YAMLError): Problem {
  const [start] = error.linePos ?? [];
  const where = start ? `${file}:${start.line}:${start.col}` : file;
  // prettyErrors appends " at line L, column C:" and a code frame; the location is already in front.
  const message = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
  return { detail: `${where} ${message} (yaml)`, meta: { file, rule: 'yaml', code: error.code, ...(start ? { line: start.line, column: start.col } : {}) } };
}

/** Parses a scenario file (YAML or JSON) into a plain value; refuses unreadable, oversized or malformed files with file:line. */
export function readScenarioFile(file: ScenarioFile): unknown {
  let text: string;
  try {
    const { size } = fs.statSync(file.path);
    if (size > MAX_SCENARIO_FILE_BYTES) {
      throw doubleError('invalidScenario', [{ detail: `${file.file} is ${size} bytes; scenario files may have at most ${MAX_SCENARIO_FILE_BYTES}`, meta: { file: file.file, rule: 'maxFileBytes' } }]);
    }
    text = fs.readFileSync(file.path, 'utf8');
  } catch (error) {
    if (error instanceof DoubleError) throw error;
    throw doubleError('invalidScenario', [{ detail: `${file.file} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, meta: { file: file.file, rule: 'readable' } }]);
  }
  return (file.source === 'shipped' ? precompiledScenario(text) : undefined) ?? parseScenarioText(file, text);
}

/** The build's parse of this very text, or undefined (an edited shipped file has none). */
function precompiledScenario(text: string): unknown {
  const artefact = precompiledScenarioPath(text);
  return fs.existsSync(artefact) ? (JSON.parse(fs.readFileSync(artefact, 'utf8')) as unknown) : undefined;
}

/** Where the build writes its parse of a scenario file's text. */
export function precompiledScenarioPath(text: string): string {
  return artefactPath('scenario', text, 'json');
}

/** Line and column (1-based) of a character offset. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

/**
 * A JSON syntax error in JSON's words ("Expected ',' or '}' after property value"), with
 * file:line:column: from JSON.parse's position, or where it gives none ("Unexpected token"), from
 * where jsonc-parser stumbles on the same text.
 */
function jsonProblem(file: string, text: string, error: Error): Problem {
  const at = / in JSON at position (\d+)/.exec(error.message);
  const errors: ParseError[] = [];
  if (!at) parseJsonTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  const offset = at ? Number(at[1]) : errors[0]?.offset;
  const position = offset === undefined ? undefined : lineAndColumn(text, offset);
  const message = error.message.replace(/ in JSON at position \d+.*$/s, '').replace(/ \(line \d+ column \d+\)$/, '').replace(/\s+/g, ' ');
  const where = position ? `${file}:${position.line}:${position.column}` : file;
  return { detail: `${where} ${message} (json)`, meta: { file, rule: 'json', ...(position ?? {}) } };
}

/**
 * Every key that appears twice in one object of a JSON text (that JSON.parse accepted), where it
 * appears the second time: one streaming pass, a set of keys per open object.
 */
function duplicateKeyProblems(file: string, text: string): Problem[] {
  const problems: Problem[] = [];
  const open: Set<string>[] = [];
  visitJson(text, {
    onObjectBegin: () => void open.push(new Set()),
    onObjectEnd: () => void open.pop(),
    onObjectProperty: (key, _offset, _length, startLine, startCharacter) => {
      const keys = open[open.length - 1]!;
      if (!keys.has(key)) return void keys.add(key);
      const line = startLine + 1;
      const column = startCharacter + 1;
      problems.push({ detail: `${file}:${line}:${column} duplicate key: a key may appear once in an object (json)`, meta: { file, rule: 'json', code: 'DUPLICATE_KEY', line, column } });
    },
  });
  return problems;
}

function parseJsonScenario(file: ScenarioFile, text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw doubleError('invalidScenario', [jsonProblem(file.file, text, error as Error)]);
  }
  // JSON.parse keeps the last of two equal keys silently; a fixture with both is a mistake to name.
  const duplicates = duplicateKeyProblems(file.file, text);
  if (duplicates.length > 0) throw doubleError('invalidScenario', duplicates);
  return value;
}

function parseScenarioText(file: ScenarioFile, text: string): unknown {
  if (/\.json$/i.test(file.path)) return parseJsonScenario(file, text);
  // Required here: yaml takes ~40 ms to load, and a double started from a document or a JSON file never parses YAML.
  const YAML = require('yaml') as typeof import('yaml');
  const doc = YAML.parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) throw doubleError('invalidScenario', doc.errors.map((error) => yamlProblem(file.file, error)));
  try {
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }) as unknown;
  } catch (error) {
    throw doubleError('invalidScenario', [{ detail: `${file.file} ${(error as Error).message} (yaml)`, meta: { file: file.file, rule: 'yaml' } }]);
  }
}

/** A file's scenario must carry the file's name. */
function nameProblems(file: ScenarioFile, value: unknown): Problem[] {
  if (!isJsonObject(value) || typeof value.name !== 'string' || value.name === file.name) return [];
  return [scenarioProblem(file.file, '/name', `is ${JSON.stringify(value.name)} but the file holds the scenario ${JSON.stringify(file.name)}: name and file name must match`, 'fileName')];
}

/** Every problem of one file: unreadable, malformed, invalid or misnamed. */
function fileProblems(file: ScenarioFile): Problem[] {
  try {
    const value = readScenarioFile(file);
    return [...nameProblems(file, value), ...scenarioProblems(value, file.file)];
  } catch (error) {
    if (error instanceof DoubleError) return error.entries.map(({ detail, source, meta }) => ({ detail, ...(source ? { source } : {}), ...(meta ? { meta } : {}) }));
    throw error;
  }
}

/**
 * The scenarios the double can switch to, sorted by name: shipped ones and the user's (which win
 * on equal names), each with its description; and the problems of the files left out. Reads every
 * file but validates only names: a file that cannot be parsed or whose name is not its file name is
 * left out with its problems, so one bad fixture never hides the good ones (a switch to it is still
 * refused with them). A folder that cannot be read, or two files with one name, is refused.
 */
export function scanScenarios(sources: ScenarioSources = {}): { listings: ScenarioListing[]; problems: Problem[] } {
  const listings: ScenarioListing[] = [];
  const problems: Problem[] = [];
  for (const file of [...scenarioFiles(sources).values()].sort((a, b) => a.name.localeCompare(b.name))) {
    let value: unknown;
    try {
      value = readScenarioFile(file);
    } catch (error) {
      if (!(error instanceof DoubleError)) throw error;
      problems.push(...error.entries);
      continue;
    }
    const misnamed = nameProblems(file, value);
    problems.push(...misnamed);
    if (misnamed.length > 0) continue;
    const description = isJsonObject(value) && typeof value.description === 'string' ? value.description : undefined;
    listings.push({ name: file.name, ...(description !== undefined ? { description } : {}), file: file.file, source: file.source });
  }
  return { listings, problems };
}

/** The scenarios the double can switch to (see scanScenarios; files with problems are left out). */
export function listScenarios(sources: ScenarioSources = {}): ScenarioListing[] {
  return scanScenarios(sources).listings;
}

/**
 * The named scenario, validated (schema, engine contract, engine rules, name = file name) and
 * ready to run: generators expanded with `options.seed` (else the file's seed, else DEFAULT_SEED).
 * Unknown name: scenarioNotFound listing the known ones; a bad file: invalidScenario with every problem.
 */
export function loadScenario(name: string, options: LoadOptions = {}): ScenarioDocument {
  const { value, file } = readNamedScenario(name, options);
  return validateScenarioDocument(value, file.file, { seed: options.seed, onProgress: options.onProgress });
}

/** loadScenario with the generators run in a worker thread, so the double keeps answering meanwhile. */
export function loadScenarioInWorker(name: string, options: LoadOptions = {}): Promise<ScenarioDocument> {
  const { value, file } = readNamedScenario(name, options);
  return prepareScenarioInWorker(value, file.file, { seed: options.seed, onProgress: options.onProgress, signal: options.signal });
}

/** The named scenario's file and what it holds, its name checked. */
function readNamedScenario(name: string, sources: ScenarioSources): { value: unknown; file: ScenarioFile } {
  const files = scenarioFiles(sources);
  const file = files.get(name);
  if (!file) {
    const known = [...files.keys()].sort();
    throw doubleError('scenarioNotFound', { detail: `no scenario named '${name}'; known: ${known.join(', ')}`, meta: { known } });
  }
  const value = readScenarioFile(file);
  const misnamed = nameProblems(file, value);
  if (misnamed.length > 0) throw doubleError('invalidScenario', [...misnamed, ...scenarioProblems(value, file.file)]);
  return { value, file };
}

/**
 * Every problem of every scenario file in one folder (empty when all are valid), for
 * `qlik-engine-double validate`: unreadable folder or files, YAML errors with file:line, schema,
 * contract and engine-rule problems, names that are not their file's, two files with one name.
 */
export function validateScenariosDir(dir: string): Problem[] {
  const { files, problems } = filesIn(dir, 'user');
  return [...problems, ...files.flatMap(fileProblems)];
}
