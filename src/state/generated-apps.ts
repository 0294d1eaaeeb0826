/**
 * Generated apps kept as JSON text, UTF-8 bytes outside the JavaScript heap (src/scenarios/
 * generate-host.ts has a worker thread make them on a switch). The garbage collector neither
 * copies nor traces them, so the ~5,000 apps of `large` (21 MB as text) arrive without making the
 * main thread's collections longer, and a worker hands them over without a copy. A world base
 * decodes such an app on its first read (LazyApps) and keeps what it decoded.
 */
import type { ScenarioApp, ScenarioDocument } from '../scenarios/types';
import type { StoredApp } from './apps';
import type { MediaLimits } from './options';

/** The most any one generated app asks of each media limit; only above a limit are they decoded when the base is made. */
export interface MediaFootprint {
  files: number;
  fileBytes: number;
  pathLength: number;
  pathDepth: number;
}

/** Apps' JSON texts back to back: app i is bytes[offsets[i], offsets[i + 1]). */
export interface TextChunk {
  bytes: Uint8Array<ArrayBuffer>;
  offsets: number[];
}

export interface GeneratedApps {
  /** Each app's attributes.id (generators always set one), in order. */
  ids: string[];
  /** The apps as text, in order. */
  chunks: TextChunk[];
  footprint: MediaFootprint;
}

export function noGeneratedApps(): GeneratedApps {
  return { ids: [], chunks: [], footprint: { files: 0, fileBytes: 0, pathLength: 0, pathDepth: 0 } };
}

/** Collects apps as they are made, then seals them into GeneratedApps of one chunk (whose bytes' buffer can be transferred). */
export class GeneratedBatch {
  private readonly ids: string[] = [];
  private readonly texts: string[] = [];
  private readonly footprint = noGeneratedApps().footprint;

  get count(): number {
    return this.ids.length;
  }

  /** Adds one generated app (which has an id). */
  add(app: ScenarioApp): void {
    this.ids.push(app.attributes.id!);
    this.texts.push(JSON.stringify(app));
    const media = Object.entries(app.media ?? {});
    const footprint = this.footprint;
    footprint.files = Math.max(footprint.files, media.length);
    for (const [path, file] of media) {
      footprint.pathLength = Math.max(footprint.pathLength, path.length);
      footprint.pathDepth = Math.max(footprint.pathDepth, path.split('/').length);
      if (file !== null) footprint.fileBytes = Math.max(footprint.fileBytes, 'text' in file ? Buffer.byteLength(file.text) : Buffer.from(file.base64, 'base64').length);
    }
  }

  seal(): GeneratedApps {
    const offsets = [0];
    for (const text of this.texts) offsets.push(offsets[offsets.length - 1]! + Buffer.byteLength(text));
    // A buffer of its own (Buffer.from may hand out a slice of a shared pool, which cannot be transferred).
    const bytes = new Uint8Array(offsets[offsets.length - 1]!);
    Buffer.from(bytes.buffer).write(this.texts.join(''));
    return { ids: this.ids, chunks: [{ bytes, offsets }], footprint: this.footprint };
  }
}

/** Appends `batch` (made elsewhere, a worker's) to `into`. */
export function appendGeneratedApps(into: GeneratedApps, batch: GeneratedApps): void {
  into.ids.push(...batch.ids);
  into.chunks.push(...batch.chunks);
  for (const key of Object.keys(into.footprint) as (keyof MediaFootprint)[]) into.footprint[key] = Math.max(into.footprint[key], batch.footprint[key]);
}

/** The JSON text of generated app `index`. */
export function generatedAppText(apps: GeneratedApps, index: number): string {
  let rest = index;
  for (const { bytes, offsets } of apps.chunks) {
    const count = offsets.length - 1;
    if (rest < count) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8', offsets[rest], offsets[rest + 1]);
    rest -= count;
  }
  throw new RangeError(`there is no generated app ${index}`);
}

/** Whether some generated app would break one of `limits` (it is then decoded when the base is made, for the error to come at switch time). */
export function breaksLimits(footprint: MediaFootprint, limits: MediaLimits): boolean {
  return (
    footprint.files > limits.maxMediaFilesPerApp ||
    footprint.fileBytes > limits.maxMediaFileBytes ||
    footprint.pathLength > limits.maxMediaPathLength ||
    footprint.pathDepth > limits.maxMediaPathDepth
  );
}

/** A prepared document's apps: those written in it (decoded when its base is made) and the generated ones, as text. */
export interface PreparedApps {
  written: readonly ScenarioApp[];
  generated: GeneratedApps;
}

const preparedApps = new WeakMap<ScenarioDocument, PreparedApps>();

/**
 * `document` with `apps`: the written apps, then the generated ones. The double reads them through
 * preparedAppsOf; reading `apps` itself (an export, a test) parses the texts into a fresh array
 * each time, which nobody keeps. Assigning `apps` makes it a plain property again.
 */
export function withPreparedApps(document: ScenarioDocument, apps: PreparedApps): ScenarioDocument {
  Object.defineProperty(document, 'apps', {
    enumerable: true,
    configurable: true,
    get: (): ScenarioApp[] => [...apps.written, ...apps.generated.ids.map((_id, index) => JSON.parse(generatedAppText(apps.generated, index)) as ScenarioApp)],
    set: (value: ScenarioApp[] | undefined) => {
      preparedApps.delete(document);
      Object.defineProperty(document, 'apps', { value, enumerable: true, configurable: true, writable: true });
    },
  });
  preparedApps.set(document, apps);
  return document;
}

/** The apps withPreparedApps gave `document`, or undefined for a document whose `apps` is all there is. */
export function preparedAppsOf(document: ScenarioDocument): PreparedApps | undefined {
  return preparedApps.get(document);
}

/**
 * A base's apps, part of them still text: each is decoded on its first read and kept decoded, so
 * iteration, `get`, `has` and `size` behave as a Map of every app. `has` and `size` decode nothing.
 */
export class LazyApps implements ReadonlyMap<string, StoredApp> {
  /** An app, or the index of its text. */
  private readonly held = new Map<string, StoredApp | number>();

  /** `decode` makes the frozen app of the text at `index` (whose id is `id`). */
  constructor(private readonly decode: (index: number, id: string) => StoredApp) {}

  /** While the base is made: an app, or the index of a text. */
  hold(id: string, app: StoredApp | number): void {
    this.held.set(id, app);
  }

  get size(): number {
    return this.held.size;
  }

  has(id: string): boolean {
    return this.held.has(id);
  }

  get(id: string): StoredApp | undefined {
    const held = this.held.get(id);
    if (typeof held !== 'number') return held;
    // Setting an existing key keeps its place, also while an iteration runs.
    const app = this.decode(held, id);
    this.held.set(id, app);
    return app;
  }

  *entries(): MapIterator<[string, StoredApp]> {
    for (const id of this.held.keys()) yield [id, this.get(id)!];
  }

  keys(): MapIterator<string> {
    return this.held.keys();
  }

  *values(): MapIterator<StoredApp> {
    for (const id of this.held.keys()) yield this.get(id)!;
  }

  forEach(callback: (app: StoredApp, id: string, map: ReadonlyMap<string, StoredApp>) => void, thisArg?: unknown): void {
    for (const [id, app] of this.entries()) callback.call(thisArg, app, id, this);
  }

  [Symbol.iterator](): MapIterator<[string, StoredApp]> {
    return this.entries();
  }
}
