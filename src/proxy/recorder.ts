/**
 * `serve --proxy URL --record DIR`: keeps the world the proxied traffic shows (world.ts) in
 * `DIR/<name>.yaml`, a scenario file `serve --scenario NAME --scenarios-dir DIR` plays back. The
 * file is rewritten a short while after each change and on flush (shutdown); each write is
 * validated like any scenario file first and goes to a temporary file renamed over the old one,
 * so a reader never sees half a file and never an invalid one.
 */
import fs from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DoubleError } from '../errors';
import { MAX_SCENARIO_FILE_BYTES, scenarioFiles } from '../scenarios/registry';
import { checkScenarioDocument, scenarioProblems } from '../scenarios/validate';
import type { Exchange } from './relay';
import { RecordedWorld } from './world';

/** Required on the first write: yaml takes ~40 ms to load, and the CLI loads this module for every serve. */
function yaml(): typeof import('yaml') {
  return require('yaml') as typeof import('yaml');
}

/** The scenario name (and file name) of a recording when none is given. */
export const DEFAULT_RECORDING_NAME = 'recorded';
/** How long after a change the file is written; changes meanwhile join the same write. */
export const RECORD_DEBOUNCE_MS = 200;

export interface RecorderOptions {
  /** The folder the scenario file goes to; made if missing. */
  dir: string;
  /** The scenario's name, and its file's: `DIR/<name>.yaml`. Default `recorded`. */
  name?: string;
  /** Where the traffic comes from (the engine's URL), for the scenario's description. */
  source?: string;
  /** Wait after a change before writing. */
  debounceMs?: number;
  /** Where write failures are reported; stderr by default. */
  log?: (line: string) => void;
}

export class ScenarioRecorder {
  /** The scenario file written. */
  readonly file: string;
  readonly name: string;
  private readonly description: string;
  private readonly debounceMs: number;
  private readonly log: (line: string) => void;
  private readonly world = new RecordedWorld();
  private timer: NodeJS.Timeout | undefined;
  /** The last write; writes run one after the other. */
  private writing: Promise<void> = Promise.resolve();
  /** True until the world as it is has been written (so the first flush writes even an empty world). */
  private dirty = true;

  /** Throws (before any traffic) when the name is not a scenario name or the folder cannot hold the file. */
  constructor(options: RecorderOptions) {
    this.name = options.name ?? DEFAULT_RECORDING_NAME;
    const nameProblems = scenarioProblems({ name: this.name }, '--record-name');
    if (nameProblems.length > 0) throw new Error(`the recording's name ${JSON.stringify(this.name)} is not a scenario name: ${nameProblems.map((p) => p.detail).join('; ')}`);
    this.file = path.join(options.dir, `${this.name}.yaml`);
    try {
      fs.mkdirSync(options.dir, { recursive: true });
      fs.accessSync(options.dir, fs.constants.W_OK);
    } catch (error) {
      throw new Error(`cannot record into ${options.dir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    // Two files with one scenario name make the folder unloadable: refuse now, not at playback.
    const existing = scenarioFiles({ scenariosDir: options.dir }).get(this.name);
    if (existing?.source === 'user' && path.resolve(existing.path) !== path.resolve(this.file)) {
      throw new Error(`${existing.path} already holds a scenario named '${this.name}'; remove it or choose another --record-name`);
    }
    this.description = `Recorded by qlik-engine-double${options.source ? ` from ${options.source}` : ''}, started ${new Date().toISOString()}.`;
    this.debounceMs = options.debounceMs ?? RECORD_DEBOUNCE_MS;
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  }

  /** Learns from one exchange (give it as ProxyOptions.onExchange); a change is written within debounceMs. */
  readonly observe = (exchange: Exchange): void => {
    if (!this.world.apply(exchange)) return;
    this.dirty = true;
    // unref: a pending write never keeps a process alive; shutdown calls flush().
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.write().catch((error: unknown) => this.log(`recording: ${(error as Error).message}`));
    }, this.debounceMs).unref();
  };

  /** Writes what is not written yet and resolves once it is on disk; rejects saying why it could not be. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.write();
  }

  private write(): Promise<void> {
    this.writing = this.writing.catch(() => undefined).then(() => this.writeNow());
    return this.writing;
  }

  private async writeNow(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    const document = this.world.toScenario({ name: this.name, description: this.description });
    try {
      checkScenarioDocument(document, this.file);
    } catch (error) {
      if (!(error instanceof DoubleError)) throw error;
      throw new Error(`${this.file} not written, the recorded world is not a valid scenario: ${error.message}`);
    }
    const text = `# Written by qlik-engine-double serve --proxy --record; rewritten while it records.\n${yaml().stringify(document, { lineWidth: 0 })}`;
    const size = Buffer.byteLength(text);
    if (size > MAX_SCENARIO_FILE_BYTES) throw new Error(`${this.file} not written: it would be ${size} bytes; scenario files may have at most ${MAX_SCENARIO_FILE_BYTES}`);
    const temporary = path.join(path.dirname(this.file), `.${this.name}.yaml.${process.pid}.tmp`);
    try {
      await writeFile(temporary, text);
      await rename(temporary, this.file);
    } catch (error) {
      this.dirty = true; // tried again on the next change or flush
      await rm(temporary, { force: true });
      throw new Error(`${this.file} not written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  }
}
