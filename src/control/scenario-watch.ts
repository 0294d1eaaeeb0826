/**
 * `--watch`: scenario files that reload. A change under the shipped scenarios folder or
 * --scenarios-dir (editors write in several steps, so changes to one file are debounced) makes the
 * double validate that scenario again at once, printing problems as `validate` prints them, and
 * rebuild every namespace running it from the new file (each with the seed it runs), in slices, so
 * the double keeps answering meanwhile; reloads run one after another, in the order of the edits.
 * A broken edit changes no world: the last good one stays, and GET /__control/scenarios says which
 * scenario is broken and why until a good edit comes. The watcher is chokidar (loaded only when
 * watching).
 */
import { EventEmitter, once } from 'node:events';
import path from 'node:path';
import type { FSWatcher } from 'chokidar';
import { errorResponse, type ErrorEntry } from '../errors';
import { BUILT_IN_SCENARIOS_DIR, loadScenarioInWorker, type ScenarioSources } from '../scenarios/registry';
import type { ScenarioReload } from '../spec/types';
import type { Namespaces } from './namespaces';

/** How long a file must stay unchanged before it is reloaded, unless told otherwise. */
export const DEFAULT_WATCH_DEBOUNCE_MS = 150;

const SCENARIO_FILE = /\.(json|ya?ml)$/i;

/**
 * What one reload did (ScenarioReload in spec/control-api.json): the file whose change started it,
 * `ok: false` when the scenario is broken (every namespace keeps its last good world, `problems`
 * says why), and the namespaces `rebuilt` from the new file ("" is the default one).
 */
export type { ScenarioReload } from '../spec/types';

/** The watch options of a double: true, or the debounce to use. */
export type WatchOption = boolean | { debounceMs?: number };

/** What the watcher works on. */
export interface WatchTarget {
  namespaces: Namespaces;
  sources: ScenarioSources;
  log: (line: string) => void;
}

/** Watches the scenario folders of one double; emits 'reload' with a ScenarioReload after each. */
export class ScenarioWatch extends EventEmitter<{ reload: [ScenarioReload] }> {
  /** Broken scenarios by name: their last reload, until a good one. */
  private readonly broken = new Map<string, ScenarioReload>();
  private readonly pending = new Map<string, NodeJS.Timeout>();
  /** The reloads under way, one after another. */
  private reloading: Promise<void> = Promise.resolve();

  private constructor(
    private readonly watcher: FSWatcher,
    private readonly target: WatchTarget,
    private readonly debounceMs: number,
  ) {
    super();
    watcher.on('all', (event, file) => {
      if (event === 'add' || event === 'change' || event === 'unlink') this.schedule(file);
    });
    watcher.on('error', (error) => target.log(`watch: ${error instanceof Error ? error.message : String(error)}`));
  }

  /** Starts watching the shipped folder and --scenarios-dir; resolves once the watcher sees every file. */
  static async start(target: WatchTarget, option: WatchOption = true): Promise<ScenarioWatch> {
    const debounceMs = typeof option === 'object' ? (option.debounceMs ?? DEFAULT_WATCH_DEBOUNCE_MS) : DEFAULT_WATCH_DEBOUNCE_MS;
    if (!Number.isInteger(debounceMs) || debounceMs < 0 || debounceMs > 60_000) throw new Error(`watch: debounceMs must be a whole number from 0 to 60000, not ${debounceMs}`);
    const folders = [BUILT_IN_SCENARIOS_DIR, ...(target.sources.scenariosDir ? [target.sources.scenariosDir] : [])];
    // Required here: only a watching double loads chokidar.
    const { watch } = require('chokidar') as typeof import('chokidar');
    const watcher = watch(folders, { ignoreInitial: true, depth: 0, atomic: true });
    const made = new ScenarioWatch(watcher, target, debounceMs);
    await once(watcher, 'ready');
    return made;
  }

  /** The scenarios whose last edit is broken, by name. */
  brokenScenarios(): ScenarioReload[] {
    return [...this.broken.values()].sort((a, b) => a.scenario.localeCompare(b.scenario));
  }

  async close(): Promise<void> {
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
    await this.watcher.close();
    await this.reloading;
  }

  private schedule(file: string): void {
    if (!SCENARIO_FILE.test(file)) return;
    clearTimeout(this.pending.get(file));
    this.pending.set(
      file,
      setTimeout(() => {
        this.pending.delete(file);
        this.reloading = this.reloading
          .then(async () => {
            this.emit('reload', await this.reload(file));
          })
          .catch((error: unknown) => this.target.log(`watch: ${error instanceof Error ? error.message : String(error)}`));
      }, this.debounceMs),
    );
  }

  /**
   * Validates the scenario the file holds and rebuilds the namespaces running it; a problem changes
   * nothing. A namespace switched, reset or restored while the reload builds keeps what it got then.
   */
  private async reload(file: string): Promise<ScenarioReload> {
    const scenario = path.basename(file).replace(SCENARIO_FILE, '');
    const { namespaces, sources, log } = this.target;
    const report = (ok: boolean, rebuilt: string[], problems: ErrorEntry[]): ScenarioReload => ({ scenario, file, time: new Date().toISOString(), ok, rebuilt, problems });
    // Namespaces that registered an inline scenario of that name run it, not the file.
    const running = namespaces.list().filter((ns) => ns.scenario.name === scenario && !ns.inlineScenarios.has(scenario));
    let rebuilt: string[] = [];
    try {
      // The file is read and validated for every seed before any world is rebuilt (replaceInSlices).
      if (running.length === 0) await loadScenarioInWorker(scenario, sources);
      const replaced = await namespaces.replaceInSlices(
        running.map((ns) => ({ namespace: ns, document: () => loadScenarioInWorker(scenario, { ...sources, seed: ns.scenario.seed }), change: 'switch' as const })),
      );
      rebuilt = replaced.filter(({ placed }) => placed).map(({ namespace }) => namespace.name);
    } catch (error) {
      // Never thrown on: this runs after a timer, where a throw would end the process.
      const { errors } = errorResponse(error).body;
      const failed = report(false, [], errors);
      this.broken.set(scenario, failed);
      log(`watch: ${file} changed; scenario ${scenario} is broken, every namespace keeps its last good world:\n${errors.map((e) => `  ${e.detail}`).join('\n')}`);
      return failed;
    }
    this.broken.delete(scenario);
    const done = report(true, rebuilt, []);
    log(`watch: ${file} changed; scenario ${scenario} is valid${rebuilt.length > 0 ? `, rebuilt ${rebuilt.map((name) => (name === '' ? 'the default namespace' : name)).join(', ')}` : ''}`);
    return done;
  }
}
