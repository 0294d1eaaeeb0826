/**
 * The scenarios one namespace can run: scenario files (shipped and --scenarios-dir, through
 * src/scenarios/registry) and the inline ones registered in that namespace. Finding, listing and
 * registering; the namespace itself swaps worlds (see Namespace).
 */
import { doubleError } from '../errors';
import { listScenarios, loadScenario, loadScenarioInWorker, scenarioFiles, type LoadOptions, type ScenarioSources } from '../scenarios/registry';
import type { ScenarioDocument } from '../scenarios/types';
import { checkScenarioDocument, prepareScenarioInWorker, validateScenarioDocument } from '../scenarios/validate';
import type { CatalogEntry } from '../spec/types';
import type { Namespace } from './namespaces';

/** One scenario GET /__control/scenarios lists (ScenarioListing in spec/control-api.json). */
export type { CatalogEntry } from '../spec/types';

/** Where scenarios come from, and the seed used when a switch names none (--seed). */
export interface CatalogOptions extends ScenarioSources {
  seed?: number;
  /** Aborted when the caller stops waiting (its double stops): see prepareScenarioInWorker. */
  signal?: AbortSignal;
}

/** How validation problems of an inline scenario name it, e.g. "inline scenario three-apps#/apps/0/...". */
function inlineOrigin(name: string): string {
  return `inline scenario ${name}`;
}

function descriptionOf(document: unknown): string | undefined {
  const description = (document as { description?: unknown }).description;
  return typeof description === 'string' ? description : undefined;
}

/** Every scenario the namespace can switch to, sorted by name; a file that cannot be read or is misnamed is left out (see scanScenarios). */
export function catalog(namespace: Namespace, sources: ScenarioSources): CatalogEntry[] {
  const files: CatalogEntry[] = listScenarios(sources).map(({ name, description, source, file }) => ({
    name,
    ...(description !== undefined ? { description } : {}),
    source,
    file,
  }));
  const inline: CatalogEntry[] = [...namespace.inlineScenarios].map(([name, document]) => {
    const description = descriptionOf(document);
    return { name, ...(description !== undefined ? { description } : {}), source: 'inline' };
  });
  return [...files, ...inline].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Finds the named scenario among the inline ones given (a namespace's) and the files: unknown, it
 * throws 404 at once, listing every known name. Gives back what prepares it, validated and ready
 * to run with `options.seed` (else the document's own seed): once per text and seed, generators
 * in a worker thread, so the double keeps answering meanwhile.
 */
export function findScenario(inlineScenarios: ReadonlyMap<string, unknown>, name: string, options: CatalogOptions): () => Promise<ScenarioDocument> {
  const inline = inlineScenarios.get(name);
  if (inline !== undefined) return () => prepareScenarioInWorker(inline, inlineOrigin(name), { seed: options.seed, signal: options.signal });
  const files = scenarioFiles(options);
  if (!files.has(name)) {
    const known = [...files.keys(), ...inlineScenarios.keys()].sort();
    throw doubleError('scenarioNotFound', {
      detail: `no scenario named ${JSON.stringify(name)}; known: ${known.join(', ')}`,
      source: { pointer: '/name' },
      meta: { known },
    });
  }
  return () => loadScenarioInWorker(name, options);
}

/**
 * Checks an inline scenario like a file (`origin` names it in problems) and keeps it in the
 * namespace under its name; a file's name is refused (409): inline scenarios never hide files.
 */
export function registerInlineScenario(namespace: Namespace, document: unknown, origin: string, sources: ScenarioSources): CatalogEntry {
  const { name, description } = checkScenarioDocument(document, origin);
  const file = scenarioFiles(sources).get(name);
  if (file) {
    throw doubleError('scenarioConflict', {
      detail: `the scenario file ${file.file} is named ${JSON.stringify(name)}; give the inline scenario another name`,
      source: { pointer: '/name' },
      meta: { file: file.file },
    });
  }
  namespace.register(name, document);
  return { name, ...(description !== undefined ? { description } : {}), source: 'inline' };
}

/** How problems of a start scenario given as a document name it: "scenario option#/apps/0/...". */
const SCENARIO_OPTION_ORIGIN = 'scenario option';

/**
 * The scenario a double starts in, however it is given: a name (`serve --scenario`, or
 * `startEngineDouble({scenario: 'busy'})`) is found like a file on a switch (the user's folder wins
 * over shipped names), a document is checked like an inline one. Either comes back validated, with
 * generators expanded with `options.seed` (else its own); a bad one throws and nothing starts.
 */
export function startScenario(scenario: string | ScenarioDocument, options: LoadOptions): ScenarioDocument {
  return typeof scenario === 'string' ? loadScenario(scenario, options) : validateScenarioDocument(scenario, SCENARIO_OPTION_ORIGIN, options);
}
