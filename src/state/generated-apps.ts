/**
 * Generated apps kept as JSON text (src/scenarios/generate.ts makes them, in a worker thread on a
 * switch): a string holds no pointers for the garbage collector to trace, so the ~5,000 apps of
 * `large` no longer make the main thread's collections long, and it crosses between threads as one
 * copy. A world base decodes such an app on its first read (LazyApps) and keeps what it decoded.
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

export interface GeneratedApps {
  /** Each app's attributes.id (generators always set one), in order. */
  ids: string[];
  /** Each app as JSON text, in order. */
  texts: string[];
  footprint: MediaFootprint;
}

export function noGeneratedApps(): GeneratedApps {
  return { ids: [], texts: [], footprint: { files: 0, fileBytes: 0, pathLength: 0, pathDepth: 0 } };
}

/** Adds one generated app (which has an id) to `into`. */
export function addGeneratedApp(into: GeneratedApps, app: ScenarioApp): void {
  into.ids.push(app.attributes.id!);
  into.texts.push(JSON.stringify(app));
  const media = Object.entries(app.media ?? {});
  const footprint = into.footprint;
  footprint.files = Math.max(footprint.files, media.length);
  for (const [path, file] of media) {
    footprint.pathLength = Math.max(footprint.pathLength, path.length);
    footprint.pathDepth = Math.max(footprint.pathDepth, path.split('/').length);
    if (file !== null) footprint.fileBytes = Math.max(footprint.fileBytes, 'text' in file ? Buffer.byteLength(file.text) : Buffer.from(file.base64, 'base64').length);
  }
}

/** Appends `batch` (made elsewhere, a worker's) to `into`. */
export function appendGeneratedApps(into: GeneratedApps, batch: GeneratedApps): void {
  into.ids.push(...batch.ids);
  into.texts.push(...batch.texts);
  for (const key of Object.keys(into.footprint) as (keyof MediaFootprint)[]) into.footprint[key] = Math.max(into.footprint[key], batch.footprint[key]);
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
    get: (): ScenarioApp[] => [...apps.written, ...apps.generated.texts.map((text) => JSON.parse(text) as ScenarioApp)],
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
  /** An app, or the index of its text in `texts`. */
  private readonly held = new Map<string, StoredApp | number>();

  /** `decode` makes the frozen app of texts[index] (whose id is `id`). */
  constructor(
    private readonly texts: readonly string[],
    private readonly decode: (text: string, index: number, id: string) => StoredApp,
  ) {}

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
    const app = this.decode(this.texts[held]!, held, id);
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
