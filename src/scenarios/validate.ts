/**
 * Checks a scenario document before it can become a world: against spec/scenario.schema.json (the
 * double's format), against the engine's contract (NxAttributes, DataModelMetadata, Session), and
 * against what real engines do where the contract is silent. Every problem names where it is
 * (`origin#pointer`) and which rule it breaks, so a bad fixture is fixed in one round.
 */
import { createHash } from 'node:crypto';
import type { ErrorObject } from 'ajv';
import scenarioSchema from '../../spec/scenario.schema.json';
import { DoubleError, doubleError, type Problem } from '../errors';
import { loadContract, type PooledSchema } from '../spec/contract';
import type { JsonSchema } from '../spec/operations';
import { FIRST_PROBLEM_ONLY, listsEveryProblem, ValidatorPool, type ValidatorVariant } from '../spec/validator-pool';
import { splitMediaPath } from '../state/media-path';
import { DEFAULT_MEDIA_LIMITS } from '../state/options';
import { runSteps, runStepsInSlices, type Steps } from '../state/steps';
import type { JsonObject } from '../spec/types';
import { decodeScenarioApp, isJsonObject } from '../state/scenario-apps';
import { MAX_JSON_DEPTH, tooDeepPointer } from '../validation/json-limits';
import { describe, escapePointer, pointerOf } from '../validation/problems';
import { expandGenerators, expandGeneratorsInWorker, type GenerationProgress } from './generate';
import type { ScenarioDocument } from './types';


/** The index of the app a pointer is in: "/apps/3/media/x" → 3. */
const APP_POINTER = /^\/apps\/(\d+)(?:\/|$)/;
const BASE64_PATTERN_PATH = '#/definitions/mediaFile/properties/base64/pattern';

/** A problem at `pointer` of the document from `origin`: "scenarios/x.yaml#/apps/0/attributes/published must be boolean (type)". */
export function scenarioProblem(origin: string, pointer: string, message: string, rule: string): Problem {
  const where = pointer || '/';
  return { detail: `${origin}#${where} ${message} (${rule})`, source: { pointer: where }, meta: { file: origin, rule } };
}

/** The scenario format. */
const SCENARIO_SCHEMA = scenarioSchema as JsonSchema;
const SCENARIO_MEMBERS = SCENARIO_SCHEMA.properties as Record<string, JsonSchema>;

/**
 * The scenario format is checked in parts, so a document of thousands of apps is checked in steps
 * of one item: the shell (the document without the items of its lists) and each item of the
 * lists, against the format's own definition of an item.
 */
interface ItemList {
  member: 'apps' | 'sessions';
  item: JsonSchema;
}

function itemSchema(member: ItemList['member']): JsonSchema {
  return { $schema: SCENARIO_SCHEMA.$schema, definitions: SCENARIO_SCHEMA.definitions, ...(SCENARIO_MEMBERS[member].items as JsonSchema) };
}

/** In the format's order of members, which is the order AJV checks them and lists their errors. */
const ITEM_LISTS: readonly ItemList[] = [
  { member: 'apps', item: itemSchema('apps') },
  { member: 'sessions', item: itemSchema('sessions') },
];

function isItemList(member: string): boolean {
  return ITEM_LISTS.some((list) => list.member === member);
}

function withoutItems(member: ItemList['member']): JsonSchema {
  const { items: _items, ...list } = SCENARIO_MEMBERS[member];
  return list;
}

const SHELL_SCHEMA: JsonSchema = { ...SCENARIO_SCHEMA, properties: { ...SCENARIO_MEMBERS, apps: withoutItems('apps'), sessions: withoutItems('sessions') } };

/** The schemas scenario checks compile beyond the contract's, for the build to compile ahead. */
export const SCENARIO_SCHEMAS: readonly PooledSchema[] = [SHELL_SCHEMA, ...ITEM_LISTS.map((list) => list.item)].map((schema) => ({ pool: 'scenarios', schema }));

const scenarioValidators = new ValidatorPool('scenarios');

/** Where AJV lists an error of the whole document: root keywords (type, required, additionalProperties) first, then by member in the format's order. */
function memberRank(member: string): number {
  return Object.keys(SCENARIO_MEMBERS).indexOf(member);
}

function errorRank(error: ErrorObject): number {
  return error.instancePath === '' ? -1 : memberRank(error.instancePath.split('/')[1]);
}

/**
 * The scenario schema's AJV errors for the whole document, in AJV's order, a step per list item:
 * every error for a document of at most FULL_REPORT_MAX_VALUES values, else the first problem's
 * and FIRST_PROBLEM_ONLY, as ValidatorPool's validator of the whole document lists them.
 */
function* schemaErrorSteps(value: unknown): Steps<ErrorObject[]> {
  const every = listsEveryProblem(value);
  const variant: ValidatorVariant = every ? 'everyProblem' : 'firstProblem';
  const shell = scenarioValidators.variantFor(SHELL_SCHEMA, variant);
  const shellErrors = shell(value) ? [] : [...(shell.errors ?? [])];
  const errors: ErrorObject[] = [];
  const done = () => !every && errors.length > 0;
  let nextShellError = 0;
  for (const { member, item } of ITEM_LISTS) {
    const items = isJsonObject(value) ? value[member] : undefined;
    if (!Array.isArray(items)) continue;
    while (nextShellError < shellErrors.length && errorRank(shellErrors[nextShellError]) <= memberRank(member)) errors.push(shellErrors[nextShellError++]);
    const validate = scenarioValidators.variantFor(item, variant);
    for (let index = 0; index < items.length && !done(); index += 1) {
      if (!validate(items[index])) errors.push(...(validate.errors ?? []).map((error) => ({ ...error, instancePath: `/${member}/${index}${error.instancePath}` })));
      yield;
    }
    if (done()) break;
  }
  if (!done()) errors.push(...shellErrors.slice(nextShellError));
  return every || errors.length === 0 ? errors : [...errors, FIRST_PROBLEM_ONLY];
}

/** AJV errors as scenario problems; `base` is the pointer of the validated value in the document. */
function ajvProblems(errors: ErrorObject[] | null | undefined, origin: string, base = ''): Problem[] {
  return (errors ?? []).map((error) => {
    if (error.keyword === 'additionalProperties') {
      const name = (error.params as { additionalProperty: string }).additionalProperty;
      return scenarioProblem(origin, `${base}${error.instancePath}/${escapePointer(name)}`, 'is not a property this object may have', error.keyword);
    }
    const message = error.schemaPath === BASE64_PATTERN_PATH ? 'is not valid base64' : describe(error);
    return scenarioProblem(origin, `${base}${pointerOf(error)}`, message, error.keyword);
  });
}

function contractProblems(definition: string, value: unknown, origin: string, pointer: string): Problem[] {
  const validate = loadContract().definitionValidator(definition);
  return validate(value) ? [] : ajvProblems(validate.errors, origin, pointer).map((p) => ({ ...p, meta: { ...p.meta, definition } }));
}

function attributeProblems(attributes: JsonObject, origin: string, pointer: string): Problem[] {
  const problems = contractProblems('NxAttributes', attributes, origin, pointer);
  if (attributes.id === '') problems.push(scenarioProblem(origin, `${pointer}/id`, 'must not be empty', 'minLength'));
  return problems;
}

function mediaKeyProblems(media: JsonObject, origin: string, pointer: string): Problem[] {
  const problems: Problem[] = [];
  for (const key of Object.keys(media)) {
    if (key === '') {
      problems.push(scenarioProblem(origin, `${pointer}/`, 'is the media root: a media key names a file or folder inside it', 'mediaPath'));
      continue;
    }
    try {
      splitMediaPath(key);
    } catch (error) {
      if (!(error instanceof DoubleError)) throw error;
      problems.push(scenarioProblem(origin, `${pointer}/${escapePointer(key)}`, error.message, 'mediaPath'));
    }
  }
  return problems;
}

/**
 * What the engine model would still refuse: a file and a folder on one path, a bad base64. Size and
 * count limits are the running double's (--media-file-limit, --media-files-per-app), unknown here:
 * EngineModel.fromScenario applies them when the world is made.
 */
const SHAPE_ONLY_LIMITS = { ...DEFAULT_MEDIA_LIMITS, maxMediaFileBytes: Number.MAX_SAFE_INTEGER, maxMediaFilesPerApp: Number.MAX_SAFE_INTEGER };

function modelProblems(app: JsonObject, origin: string, pointer: string): Problem[] {
  try {
    decodeScenarioApp(app, { limits: SHAPE_ONLY_LIMITS, invalid: 'invalidScenario', limit: 'invalidScenario', pointer });
    return [];
  } catch (error) {
    if (!(error instanceof DoubleError)) throw error;
    return error.entries.map((entry) =>
      scenarioProblem(origin, entry.source?.pointer ?? pointer, entry.detail.replace(`${pointer}: `, ''), 'engineModel'),
    );
  }
}

/** `brokenApps`: indexes of apps the schema already refused, which the engine model is not asked about. A step per app. */
function* appProblemSteps(apps: unknown[], origin: string, brokenApps: ReadonlySet<number>): Steps<Problem[]> {
  const problems: Problem[] = [];
  const firstWithId = new Map<string, number>();
  for (const [index, app] of apps.entries()) {
    yield;
    if (!isJsonObject(app)) continue;
    const pointer = `/apps/${index}`;
    const own: Problem[] = [];
    const { attributes, media, dataModel } = app;
    if (isJsonObject(attributes)) {
      own.push(...attributeProblems(attributes, origin, `${pointer}/attributes`));
      if (typeof attributes.id === 'string' && attributes.id !== '') {
        const first = firstWithId.get(attributes.id);
        if (first === undefined) firstWithId.set(attributes.id, index);
        else own.push(scenarioProblem(origin, `${pointer}/attributes/id`, `repeats the id ${JSON.stringify(attributes.id)} of /apps/${first}`, 'uniqueId'));
      }
    }
    if (isJsonObject(media)) own.push(...mediaKeyProblems(media, origin, `${pointer}/media`));
    if (isJsonObject(dataModel)) own.push(...contractProblems('DataModelMetadata', dataModel, origin, `${pointer}/dataModel`));
    problems.push(...own);
    if (own.length === 0 && !brokenApps.has(index)) problems.push(...modelProblems(app, origin, pointer));
  }
  return problems;
}

/** A step per session. */
function* sessionProblemSteps(sessions: unknown[], origin: string): Steps<Problem[]> {
  const problems: Problem[] = [];
  for (const [index, session] of sessions.entries()) {
    yield;
    if (isJsonObject(session)) problems.push(...contractProblems('Session', session, origin, `/sessions/${index}`));
  }
  return problems;
}

/**
 * Every problem of a scenario document (empty when it is valid): the scenario schema, the engine
 * contract's definitions, and the engine's own rules (media paths, unique
 * app ids). `origin` names the document in each problem: a file ("scenarios/x.yaml") or a request.
 */
export function scenarioProblems(value: unknown, origin: string): Problem[] {
  return runSteps(scenarioProblemSteps(value, origin));
}

/** scenarioProblems in steps of one top-level member, app or session. */
function* scenarioProblemSteps(value: unknown, origin: string): Steps<Problem[]> {
  // First and alone: every later check (and the world made from the document) walks it recursively.
  const tooDeep = yield* tooDeepSteps(value);
  return tooDeep === undefined ? yield* shapeProblemSteps(value, origin) : depthProblems(origin, tooDeep);
}

/**
 * tooDeepPointer(value), a step per top-level member and per list item. It finds the same pointer:
 * tooDeepPointer looks at the last member (and the last item) first, so these steps go backwards.
 */
function* tooDeepSteps(value: unknown): Steps<string | undefined> {
  if (!isJsonObject(value)) return tooDeepPointer(value);
  const members: string[] = [];
  for (const member in value) members.push(member);
  for (const member of members.reverse()) {
    const found = value[member];
    const pointer = `/${escapePointer(member)}`;
    const parts: [unknown, number, string][] = Array.isArray(found) && isItemList(member) ? found.map((item, index): [unknown, number, string] => [item, 2, `${pointer}/${index}`]).reverse() : [[found, 1, pointer]];
    for (const [part, depth, partPointer] of parts) {
      const tooDeep = tooDeepPointer(part, depth, partPointer);
      if (tooDeep !== undefined) return tooDeep;
      yield;
    }
  }
  return undefined;
}

/** The one problem of a document nested deeper than MAX_JSON_DEPTH at `pointer`. */
function depthProblems(origin: string, pointer: string): Problem[] {
  return [scenarioProblem(origin, pointer, `is nested more than ${MAX_JSON_DEPTH} levels deep`, 'maxDepth')];
}

/** scenarioProblems of a document known to be within MAX_JSON_DEPTH. */
function* shapeProblemSteps(value: unknown, origin: string): Steps<Problem[]> {
  const problems = ajvProblems(yield* schemaErrorSteps(value), origin);
  if (!isJsonObject(value)) return problems;
  const brokenApps = new Set(problems.map((p) => APP_POINTER.exec(p.source?.pointer ?? '')?.[1]).filter((i) => i !== undefined).map(Number));
  if (Array.isArray(value.apps)) problems.push(...(yield* appProblemSteps(value.apps, origin, brokenApps)));
  if (Array.isArray(value.sessions)) problems.push(...(yield* sessionProblemSteps(value.sessions, origin)));
  return problems;
}

/** Where scenarioProblems finds the one app appDocumentProblems wraps. */
const WRAPPED_APP = '/apps/0';

/**
 * Every problem of one app document in the scenario app format (what POST /v1/apps/import reads
 * from a JSON file), checked exactly as an app of a scenario is; pointers are into the document.
 */
export function appDocumentProblems(document: JsonObject, origin: string): Problem[] {
  // The depth is the document's own: wrapping it as a scenario's app adds two levels the client never sent.
  const tooDeep = tooDeepPointer(document);
  if (tooDeep !== undefined) return depthProblems(origin, tooDeep);
  return runSteps(shapeProblemSteps({ name: 'import', apps: [document] }, origin)).map((problem) => {
    const pointer = (problem.source?.pointer ?? '').slice(WRAPPED_APP.length) || '/';
    return { ...problem, detail: problem.detail.replace(`${origin}#${WRAPPED_APP}`, `${origin}#`).replace(`${origin}# `, `${origin}#/ `), source: { pointer } };
  });
}

export interface PrepareOptions {
  /** Seed of generators and dynamic examples; wins over the document's own `seed`. */
  seed?: number;
  /** Told how far the generators are (the CLI shows it on a TTY: `large` takes a second). */
  onProgress?: GenerationProgress;
  /** prepareScenarioInWorker: aborted when the caller no longer waits (its double stops). */
  signal?: AbortSignal;
}

/**
 * The document as a ScenarioDocument once scenarioProblems finds none, generators not expanded:
 * what registering or writing a scenario needs (expanding `large` takes most of a second).
 * Throws doubleError('invalidScenario') listing every problem.
 */
export function checkScenarioDocument(value: unknown, origin: string): ScenarioDocument {
  return runSteps(checkSteps(value, origin));
}

/** checkScenarioDocument in steps (scenarioProblemSteps). */
function* checkSteps(value: unknown, origin: string): Steps<ScenarioDocument> {
  const problems = yield* scenarioProblemSteps(value, origin);
  if (problems.length > 0) throw doubleError('invalidScenario', problems);
  return value as ScenarioDocument;
}

/**
 * How many prepared documents are kept (validateScenarioDocument): each with its world base (see
 * src/state/worlds.ts), some 50 MB for `large`. Namespaces keep their own document alive besides.
 */
export const MAX_PREPARED_SCENARIOS = 4;
/** Prepared documents by a hash of origin, seed and text (preparedKeySteps), least recently used first. */
const prepared = new Map<string, ScenarioDocument>();
/** A preparation under way, shared by every caller of one key until the last one stops waiting. */
interface Preparation {
  document: Promise<ScenarioDocument>;
  waiting: number;
  /** Ends the generation's worker once nobody waits for it. */
  stop: AbortController;
}
/** Preparations under way, by the same key, so two switches to one new scenario share one. */
const preparing = new Map<string, Preparation>();

/**
 * The cache key of a document: a SHA-256 of its origin, seed and JSON text, the text written a step
 * per top-level member and per list item; undefined for a document that cannot be written as JSON
 * (too deep: validation refuses it).
 */
function* preparedKeySteps(value: unknown, origin: string, seed: number | undefined): Steps<string | undefined> {
  const hash = createHash('sha256').update(`${origin}\u0000${seed ?? ''}\u0000`);
  try {
    yield* jsonTextSteps(value, (text) => hash.update(text));
  } catch {
    return undefined;
  }
  return hash.digest('base64');
}

/** Writes JSON.stringify(value) in pieces: a plain object's members one by one, and its lists' items one by one. */
function* jsonTextSteps(value: unknown, write: (text: string) => void): Steps<void> {
  if (!isJsonObject(value) || typeof value.toJSON === 'function') {
    write(String(JSON.stringify(value)));
    return;
  }
  write('{');
  let separator = '';
  for (const member of Object.keys(value)) {
    const found = value[member];
    const name = `${separator}${JSON.stringify(member)}:`;
    if (Array.isArray(found) && !('toJSON' in found) && isItemList(member)) {
      write(`${name}[`);
      for (const [index, item] of found.entries()) {
        write(`${index === 0 ? '' : ','}${JSON.stringify(item) ?? 'null'}`);
        yield;
      }
      write(']');
    } else {
      const text = JSON.stringify(found);
      if (text === undefined) continue;
      write(`${name}${text}`);
      yield;
    }
    separator = ',';
  }
  write('}');
}

function knownPrepared(key: string | undefined): ScenarioDocument | undefined {
  const known = key === undefined ? undefined : prepared.get(key);
  if (key !== undefined && known !== undefined) {
    prepared.delete(key);
    prepared.set(key, known);
  }
  return known;
}

function keepPrepared(key: string | undefined, document: ScenarioDocument): ScenarioDocument {
  if (key === undefined) return document;
  prepared.set(key, document);
  if (prepared.size > MAX_PREPARED_SCENARIOS) prepared.delete(prepared.keys().next().value!);
  return document;
}

/**
 * Validates a scenario document (checkScenarioDocument) and returns it ready to run: generators
 * expanded with the seed, `generate` and `$schema` dropped, `seed` set to the seed used. Used for
 * inline scenarios (switches, PUT /__control/state) as for files. The same text with the same seed
 * is prepared once per process: the same document object comes back (shared, so never changed by
 * anyone), and with it the world base already decoded from it.
 */
export function validateScenarioDocument(value: unknown, origin: string, options: PrepareOptions = {}): ScenarioDocument {
  const key = runSteps(preparedKeySteps(value, origin, options.seed));
  return knownPrepared(key) ?? keepPrepared(key, expandGenerators(checkScenarioDocument(value, origin), options.seed, options.onProgress));
}

/**
 * validateScenarioDocument keyed and checked in slices (runStepsInSlices) and with the generators
 * run in a worker thread (expandGeneratorsInWorker), so the double keeps answering meanwhile. Callers of one text and seed share one worker; it is
 * ended when every caller's `signal` has aborted, and each such caller gets invalidScenario.
 */
export async function prepareScenarioInWorker(value: unknown, origin: string, options: PrepareOptions = {}): Promise<ScenarioDocument> {
  const key = await runStepsInSlices(preparedKeySteps(value, origin, options.seed));
  const known = knownPrepared(key);
  if (known !== undefined) return known;
  if (key === undefined) return expandGeneratorsInWorker(await runStepsInSlices(checkSteps(value, origin)), options.seed, options);
  let preparation = preparing.get(key);
  if (preparation === undefined) {
    const stop = new AbortController();
    const document = runStepsInSlices(checkSteps(value, origin))
      .then((checked) => expandGeneratorsInWorker(checked, options.seed, { onProgress: options.onProgress, signal: stop.signal }))
      .then((prepared) => keepPrepared(key, prepared));
    const started: Preparation = { document, waiting: 0, stop };
    const forget = () => {
      if (preparing.get(key) === started) preparing.delete(key);
    };
    document.then(forget, forget);
    preparing.set(key, (preparation = started));
  }
  preparation.waiting += 1;
  try {
    return await untilAborted(preparation.document, options.signal);
  } finally {
    preparation.waiting -= 1;
    if (preparation.waiting === 0) {
      // Nobody joins it any more: the next caller starts afresh.
      if (preparing.get(key) === preparation) preparing.delete(key);
      preparation.stop.abort();
    }
  }
}

/** `work`, or a rejection as soon as `signal` aborts. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  return new Promise<T>((resolve, reject) => {
    const aborted = () => reject(doubleError('invalidScenario', { detail: 'the scenario was not prepared: the double stopped', source: { pointer: '' } }));
    if (signal.aborted) aborted();
    signal.addEventListener('abort', aborted, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', aborted));
  });
}
