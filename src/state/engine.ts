/**
 * The engine's world in memory: apps with their attributes, media and data model, the sessions,
 * and the condition /health reports. Free of HTTP: methods take plain values and throw
 * DoubleErrors. Every method is synchronous, so each call is atomic in Node's single thread, and
 * each validates everything before it mutates anything, so a throw leaves the world unchanged.
 * Nothing handed out aliases the model's own objects, except the bytes sendableMediaFile and
 * sendableThumbnail give the HTTP handlers to write to a socket without a copy.
 *
 * A scenario is decoded once into a WorldBase (EngineModel.baseOf), which every world made from it
 * shares and none changes: a world keeps only what it changes (see WorldLayer, AppTable), so a new
 * world over `large` costs a few small objects. A transaction is one more such layer. Stored apps
 * are therefore never edited in place: a change stores a new app object, and a media write a new
 * tree (MediaTree.clone shares the file nodes).
 */
import { doubleError, type DoubleError } from '../errors';
import type { EngineCondition, EngineFigures, ScenarioDocument } from '../scenarios/types';
import type { AppAttributes, DataModelMetadata, NxApp, Session } from '../spec/types';
import {
  defaultAttributes,
  snapshotOf,
  toNxApp,
  type AppSnapshot,
  type QixAppContent,
  type StoredApp,
  type StoredAttributes,
} from './apps';
import { isoTimestamp } from './clock';
import { reportedDataModel } from './data-model';
import { readImportedFile, type ImportedFile } from './import-file';
import { contentTypeFor } from './media-types';
import { normaliseMediaPath, thumbnailMediaPath } from './media-path';
import { MediaTree, mediaListMode } from './media-tree';
import { resolveModelOptions, type MediaLimits, type ModelOptions, type ResolvedModelOptions } from './options';
import { decodeScenarioApp, encodeStoredApp, isJsonObject, type DecodedApp } from './scenario-apps';
import { cloneJson } from './clone';
import { LiveSessions, type NamedSession, type SessionSink } from './live-sessions';
import { WorldLayer, type CacheCounters } from './world-layer';
import { runSteps, type Steps } from './steps';
import { breaksLimits, generatedAppText, LazyApps, preparedAppsOf } from './generated-apps';

export type { AppSnapshot } from './apps';
export type { MediaLimits, ModelOptions } from './options';
export type { CacheCounters } from './world-layer';

export type ImportMode = 'NEW' | 'AUTOREPLACE';

export interface ImportOptions {
  /** The target app's name; an empty string counts as not given. */
  name?: string;
  mode?: ImportMode;
}

export interface MediaFileContent {
  bytes: Buffer;
  contentType: string;
}

/**
 * A file with a copy of its bytes: a Buffer cannot be made read-only (Node has no frozen or
 * immutable ArrayBuffer, and a Proxy is no Uint8Array a socket accepts), and a caller that wrote
 * into the stored one would change the file in this world and in every world and copy sharing it.
 */
function copied(file: StoredFile): MediaFileContent {
  return { bytes: Buffer.from(file.bytes), contentType: contentTypeFor(file.name) };
}

/** A stored file's own bytes and its name (which gives the public readers its content type). */
interface StoredFile {
  bytes: Buffer;
  name: string;
}

/** The figures /healthcheck derives from the world (its call counter lives in the server). */
export interface EngineUsage {
  /** Apps open in an active session. */
  activeDocs: string[];
  /** Apps open in any session, active or stalled. */
  loadedDocs: string[];
  /** The double keeps no separate document cache: the same as loadedDocs. */
  inMemoryDocs: string[];
  sessionActive: number;
  sessionTotal: number;
  /** Distinct users with an active session. */
  usersActive: number;
  /** Distinct users with any session. */
  usersTotal: number;
  /** Selections made since start. */
  selections: number;
  cache: CacheCounters;
}

/** The contract reports every counter as int32 (HealthcheckStatus.apps.selections, CacheUsage). */
const FIGURE_LIMIT = 2 ** 31 - 1;

function figure(value: unknown, pointer: string): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > FIGURE_LIMIT) throw doubleError('invalidScenario', { detail: `${pointer} must be a whole number from 0 to ${FIGURE_LIMIT}`, source: { pointer } });
  return value;
}

/**
 * What a scenario is decoded into once: the apps, sessions, condition and counters every world made
 * from it starts with. Shared by those worlds and never changed (its apps are frozen).
 */
export interface WorldBase {
  readonly scenario: Readonly<Pick<ScenarioDocument, 'name' | 'description' | 'security'>>;
  readonly condition: EngineCondition;
  readonly apps: ReadonlyMap<string, StoredApp>;
  readonly sessions: readonly Session[];
  readonly selections: number;
  readonly cache: Readonly<CacheCounters>;
}

function emptyBase(scenario: WorldBase['scenario']): WorldBase {
  return { scenario, condition: 'healthy', apps: new Map(), sessions: [], selections: 0, cache: { hits: 0, lookups: 0, added: 0, replaced: 0, bytes_added: 0 } };
}

/** The counters a scenario's `figures` starts a world with (all 0 when it has none). */
function startFigures(figures: EngineFigures | undefined): Pick<WorldBase, 'selections' | 'cache'> {
  if (figures === undefined) return emptyBase({ name: '' });
  if (!isJsonObject(figures)) throw doubleError('invalidScenario', { detail: 'figures must be an object', source: { pointer: '/figures' } });
  const cache = figures.cache ?? {};
  if (!isJsonObject(cache)) throw doubleError('invalidScenario', { detail: 'figures.cache must be an object', source: { pointer: '/figures/cache' } });
  return {
    selections: figure(figures.selections, '/figures/selections'),
    cache: {
      hits: figure(cache.hits, '/figures/cache/hits'),
      lookups: figure(cache.lookups, '/figures/cache/lookups'),
      added: figure(cache.added, '/figures/cache/added'),
      replaced: figure(cache.replaced, '/figures/cache/replaced'),
      bytes_added: figure(cache.bytesAdded, '/figures/cache/bytesAdded'),
    },
  };
}

const CONDITIONS: readonly EngineCondition[] = ['healthy', 'busy', 'unhealthy'];
const ACTIVE_SESSION_STATE = 'active';
/** Most sessions a world holds (as spec/scenario.schema.json allows a scenario). */
export const MAX_SESSIONS = 10_000;
/** How often a fresh id may collide with an existing app before the id source is deemed broken. */
const MAX_ID_ATTEMPTS = 100;

function appNotFound(id: string): DoubleError {
  return doubleError('appNotFound', { detail: `No app has the id ${JSON.stringify(id)}.`, source: { parameter: 'appId' } });
}

function invalidImport(detail: string): DoubleError {
  return doubleError('invalidImport', { detail, source: { parameter: 'filedata' } });
}

/** A fresh id from `newId` that `taken` does not refuse. */
function freshId(newId: () => string, taken: (id: string) => boolean): string {
  for (let attempt = 0; attempt < MAX_ID_ATTEMPTS; attempt += 1) {
    const id = newId();
    if (id !== '' && !taken(id)) return id;
  }
  throw doubleError('internal', { detail: `The id source gave ${MAX_ID_ATTEMPTS} ids in a row that were empty or taken.` });
}

/** A base's app: the decoded one with the attributes a scenario left out filled in, frozen (bases are shared). */
function frozenApp(decoded: DecodedApp, id: string, timestamp: string): StoredApp {
  return Object.freeze({ ...decoded, attributes: Object.freeze({ ...defaultAttributes(id, '', timestamp), ...decoded.attributes, id }) });
}

/** The app without a published stream (an unpublished app has none). */
function withoutStream(app: StoredApp): StoredApp {
  const { publishedStream: _dropped, ...rest } = app;
  return rest;
}

function distinctSorted(values: Iterable<string | undefined>): string[] {
  const present = [...values].filter((value): value is string => value !== undefined && value !== '');
  return [...new Set(present)].sort();
}

/** An app as QIX methods see it: attributes, data model presence and the QIX side (copies). */
export interface QixAppView {
  attributes: AppSnapshot['attributes'];
  hasDataModel: boolean;
  qix: QixAppContent;
}

export class EngineModel implements SessionSink {
  readonly limits: Readonly<MediaLimits>;
  private readonly options: ResolvedModelOptions;
  private readonly scenarioName: string;
  private readonly scenarioDescription: string | undefined;
  /** The scenario's access rules; they travel with the world so each namespace keeps its own document's. */
  readonly security: ScenarioDocument['security'];
  /**
   * What changes: apps, sessions, condition and counters (a scenario's `figures` sets where the
   * counters start). The world's own layer, or an open transaction's layer over it.
   */
  private layer: WorldLayer;
  /** Sessions of QIX websockets; they list themselves in the layer's sessions as they change. */
  readonly liveSessions: LiveSessions;

  /** An empty world, or (with `base`) a world over a scenario's base; fromScenario and over make those. */
  constructor(options: ModelOptions = {}, scenario: Pick<ScenarioDocument, 'name' | 'description' | 'security'> = { name: 'empty' }, base: WorldBase = emptyBase(scenario)) {
    this.options = resolveModelOptions(options);
    this.limits = this.options.limits;
    this.scenarioName = scenario.name;
    this.scenarioDescription = scenario.description;
    this.security = scenario.security === undefined ? undefined : cloneJson(scenario.security);
    this.layer = WorldLayer.over(base);
    this.liveSessions = new LiveSessions(this, this.options.timers);
  }

  // ---- scenarios ----

  /**
   * The world a scenario document describes. `generate` and `mode` are ignored: the scenario
   * loader expands generators before calling. Attributes a scenario leaves out get the defaults of
   * a fresh app (owner ""), so every app answers with the full attribute set.
   */
  static fromScenario(doc: ScenarioDocument, options: ModelOptions = {}): EngineModel {
    return EngineModel.over(EngineModel.baseOf(doc, options), options);
  }

  /** A new world over a base: nothing is copied until the world changes something. */
  static over(base: WorldBase, options: ModelOptions = {}): EngineModel {
    return new EngineModel(options, base.scenario, base);
  }

  /**
   * Decodes a scenario document (generators already expanded) into the base its worlds share; throws
   * invalidScenario for what the model refuses. `options` give the media limits, and the clock and
   * id source for what the document leaves out (dates, ids). `owned`: the document is given over
   * and nobody changes it later (a prepared one: validateScenarioDocument), so its parts are kept, not copied.
   */
  static baseOf(doc: ScenarioDocument, options: ModelOptions = {}, owned = false): WorldBase {
    return runSteps(EngineModel.baseSteps(doc, options, owned));
  }

  /**
   * baseOf, one step per app written in the document (see runStepsInSlices). Generated apps a
   * prepared document holds as text (preparedAppsOf) are decoded on their first read instead
   * (LazyApps), unless one of them would break a media limit: then all are decoded now, so the
   * refusal comes at switch time, naming the app, as for written apps.
   */
  static *baseSteps(doc: ScenarioDocument, options: ModelOptions = {}, owned = false): Steps<WorldBase> {
    const { limits, now, newId } = resolveModelOptions(options);
    const condition = doc.condition ?? 'healthy';
    if (!CONDITIONS.includes(condition)) throw doubleError('invalidScenario', { detail: `condition must be one of ${CONDITIONS.join(', ')}, not ${JSON.stringify(condition)}`, source: { pointer: '/condition' } });
    const { selections, cache } = startFigures(doc.figures);
    const timestamp = isoTimestamp(now);
    const prepared = preparedAppsOf(doc);
    const lazy = prepared !== undefined && !breaksLimits(prepared.generated.footprint, limits) ? prepared : undefined;
    const decodeNow = lazy?.written ?? doc.apps ?? [];
    const textIds = lazy?.generated.ids ?? [];
    const decodedApps: DecodedApp[] = [];
    for (const [index, value] of decodeNow.entries()) {
      decodedApps.push(decodeScenarioApp(value, { limits, invalid: 'invalidScenario', limit: 'invalidScenario', pointer: `/apps/${index}`, owned }));
      yield;
    }
    // Ids the scenario names are reserved first, so a generated id never takes one a later app names.
    const namedIds = new Set<string>();
    const named = [...decodedApps.map(({ attributes }) => attributes.id), ...textIds];
    for (const [index, id] of named.entries()) {
      if (id === undefined) continue;
      if (namedIds.has(id)) throw doubleError('invalidScenario', { detail: `/apps/${index}: another app already has the id ${JSON.stringify(id)}`, source: { pointer: `/apps/${index}/attributes/id` } });
      namedIds.add(id);
    }
    const firstText = decodedApps.length;
    const apps = new LazyApps((index, id) => {
      const app: unknown = JSON.parse(generatedAppText(lazy!.generated, index));
      return frozenApp(decodeScenarioApp(app, { limits, invalid: 'invalidScenario', limit: 'invalidScenario', pointer: `/apps/${firstText + index}`, owned: true }), id, timestamp);
    });
    for (const decoded of decodedApps) {
      const id = decoded.attributes.id ?? freshId(newId, (taken) => apps.has(taken) || namedIds.has(taken));
      apps.hold(id, frozenApp(decoded, id, timestamp));
    }
    for (const [index, id] of textIds.entries()) apps.hold(id, index);
    const sessions = (doc.sessions ?? []).map((session, index) => {
      if (!isJsonObject(session)) throw doubleError('invalidScenario', { detail: `/sessions/${index}: a session must be an object`, source: { pointer: `/sessions/${index}` } });
      return cloneJson(session);
    });
    const scenario = { name: doc.name, ...(doc.description !== undefined ? { description: doc.description } : {}), ...(doc.security !== undefined ? { security: cloneJson(doc.security) } : {}) };
    return { scenario, condition, apps, sessions, selections, cache };
  }

  /** The world as a scenario document; fromScenario(model.toScenario()) makes an equal world. */
  toScenario(): ScenarioDocument {
    return {
      name: this.scenarioName,
      ...(this.scenarioDescription !== undefined ? { description: this.scenarioDescription } : {}),
      condition: this.condition,
      apps: [...this.apps.values()].map(encodeStoredApp),
      sessions: this.listSessions(),
      ...this.figuresSection(),
      ...(this.security !== undefined ? { security: cloneJson(this.security) } : {}),
    };
  }

  // ---- transactions ----

  /**
   * Runs `work` all or nothing: it writes to a layer of its own over the world's (apps, their
   * attributes, media and data model, sessions, condition, counters), which is folded into the
   * world when `keep` accepts what `work` returned and dropped when `work` throws or `keep`
   * refuses, so a request that fails at its last step (a response that breaks the contract, say)
   * leaves nothing behind. Synchronous, like every method here, so no other request's change can
   * interleave.
   */
  transaction<T>(work: () => T, keep: (result: T) => boolean): T {
    const world = this.layer;
    if (world.below !== undefined) throw new Error('transactions do not nest');
    const layer = world.transaction();
    this.layer = layer;
    let kept = false;
    try {
      const result = work();
      kept = keep(result);
      return result;
    } finally {
      this.layer = world;
      if (kept) layer.foldIntoBelow();
    }
  }

  /** What /health and /healthcheck report; control routes may change it. */
  get condition(): EngineCondition {
    return this.layer.condition;
  }

  set condition(condition: EngineCondition) {
    this.layer.condition = condition;
  }

  private get apps(): WorldLayer['apps'] {
    return this.layer.apps;
  }

  /** Stores `app` under `id` (a new app, or a replacement: stored apps are never edited in place). */
  private store(id: string, app: StoredApp): void {
    this.apps.set(id, app);
  }

  // ---- apps ----

  createApp(attrs: AppAttributes | undefined, owner: string): AppSnapshot {
    const id = this.freshAppId();
    const attributes: StoredAttributes = {
      ...defaultAttributes(id, owner, this.timestamp()),
      ...(attrs?.name !== undefined ? { name: attrs.name } : {}),
      ...(attrs?.description !== undefined ? { description: attrs.description } : {}),
    };
    const app: StoredApp = { attributes, media: new MediaTree() };
    this.store(id, app);
    return snapshotOf(app);
  }

  hasApp(id: string): boolean {
    return this.apps.has(id);
  }

  getApp(id: string): AppSnapshot {
    return snapshotOf(this.requireApp(id));
  }

  /** Every app, in the order they came into the world. */
  listApps(): AppSnapshot[] {
    return [...this.apps.values()].map(snapshotOf);
  }

  /** Sets the name and description that `attrs` carries, leaves the rest; any update moves modifiedDate. */
  updateApp(id: string, attrs: AppAttributes | undefined): AppSnapshot {
    const current = this.requireApp(id);
    const app: StoredApp = {
      ...current,
      attributes: {
        ...current.attributes,
        ...(attrs?.name !== undefined ? { name: attrs.name } : {}),
        ...(attrs?.description !== undefined ? { description: attrs.description } : {}),
        modifiedDate: this.timestamp(),
      },
    };
    this.store(id, app);
    return snapshotOf(app);
  }

  /** Removes the app with its media and data model. */
  deleteApp(id: string): void {
    this.requireApp(id);
    this.apps.delete(id);
  }

  /**
   * A new app holding copies of the source's attributes (overlaid by dstUpdate), media and data
   * model. The copy is the copier's, fresh and unpublished; its lastReloadTime is the source's, as
   * the data is the same. Media, data model and QIX side are shared, not copied: stored parts are
   * replaced, never edited in place, so a later change to either app never shows in the other.
   */
  copyApp(id: string, dstUpdate: AppAttributes | undefined, owner: string): AppSnapshot {
    const source = this.requireApp(id);
    const copyId = this.freshAppId();
    const timestamp = this.timestamp();
    const copy: StoredApp = {
      attributes: {
        ...cloneJson(source.attributes),
        ...(dstUpdate?.name !== undefined ? { name: dstUpdate.name } : {}),
        ...(dstUpdate?.description !== undefined ? { description: dstUpdate.description } : {}),
        id: copyId,
        owner,
        createdDate: timestamp,
        modifiedDate: timestamp,
        published: false,
        publishTime: '',
      },
      media: source.media,
      ...(source.dataModel !== undefined ? { dataModel: source.dataModel } : {}),
      ...(source.importedFileBytes !== undefined ? { importedFileBytes: source.importedFileBytes } : {}),
      ...(source.qix !== undefined ? { qix: source.qix } : {}),
    };
    this.store(copyId, copy);
    return snapshotOf(copy);
  }

  /** Publishing again moves publishTime and the stream. modifiedDate stays: the app's content is unchanged. */
  publishApp(id: string, stream?: string): AppSnapshot {
    const current = this.requireApp(id);
    const app: StoredApp = {
      ...withoutStream(current),
      attributes: { ...current.attributes, published: true, publishTime: this.timestamp() },
      ...(stream !== undefined ? { publishedStream: stream } : {}),
    };
    this.store(id, app);
    return snapshotOf(app);
  }

  unpublishApp(id: string): AppSnapshot {
    const current = this.requireApp(id);
    const app: StoredApp = { ...withoutStream(current), attributes: { ...current.attributes, published: false, publishTime: '' } };
    this.store(id, app);
    return snapshotOf(app);
  }

  /**
   * POST /v1/apps/import. A JSON app document (the scenario app format) brings its attributes,
   * media and data model; other bytes stand for a .qvf the double cannot read: NEW makes an app
   * with generated attributes and remembers the byte count, AUTOREPLACE refuses (no id to extract).
   * NEW: fresh id and owner, unpublished, and as a real engine answers: name "" unless one is given,
   * createdDate and modifiedDate ""; the document's other attributes are kept. `file` is the
   * bytes already read (readImportedFile), when the caller has read them.
   * AUTOREPLACE: the document's attributes are kept, id included, and replace any app with that id
   * (its createdDate survives unless the document has one); modifiedDate is now.
   */
  importApp(bytes: Buffer, opts: ImportOptions, owner: string, file: ImportedFile = readImportedFile(bytes)): AppSnapshot {
    if (bytes.length === 0) throw invalidImport('The imported file is empty.');
    const mode = opts.mode ?? 'NEW';
    const nameOverride = opts.name !== undefined && opts.name !== '' ? { name: opts.name } : {};
    const timestamp = this.timestamp();
    const decoded: DecodedApp | undefined =
      file.kind === 'appDocument'
        ? decodeScenarioApp(file.document, { limits: this.limits, invalid: 'invalidImport', limit: 'mediaLimit', pointer: '' })
        : undefined;

    if (mode === 'AUTOREPLACE') {
      if (decoded === undefined) {
        throw invalidImport('AUTOREPLACE takes the app id from the imported file, but the file is not a JSON app document, so the double cannot read an id from it.');
      }
      const id = decoded.attributes.id;
      if (id === undefined) throw invalidImport('AUTOREPLACE takes the app id from the imported file, but its attributes have no "id".');
      const replaced = this.apps.get(id);
      const app: StoredApp = {
        ...decoded,
        attributes: {
          ...defaultAttributes(id, owner, timestamp),
          ...(replaced !== undefined ? { createdDate: replaced.attributes.createdDate } : {}),
          ...decoded.attributes,
          ...nameOverride,
          id,
          modifiedDate: timestamp,
        },
      };
      this.store(id, app);
      return snapshotOf(app);
    }

    const id = this.freshAppId();
    // A real engine's answer to a new import: no name unless one is given, no created or modified date yet.
    const fresh = { ...defaultAttributes(id, owner, timestamp), name: '', createdDate: '', modifiedDate: '' };
    const app: StoredApp =
      decoded === undefined
        ? { attributes: { ...fresh, ...nameOverride }, media: new MediaTree(), importedFileBytes: bytes.length }
        : {
            media: decoded.media,
            ...(decoded.dataModel !== undefined ? { dataModel: decoded.dataModel } : {}),
            ...(decoded.qix !== undefined ? { qix: decoded.qix } : {}),
            attributes: {
              ...fresh,
              ...decoded.attributes,
              ...nameOverride,
              id,
              owner,
              createdDate: '',
              modifiedDate: '',
              published: false,
              publishTime: '',
            },
          };
    this.store(id, app);
    return snapshotOf(app);
  }

  /** The NxApp response for an app seen by a user holding `privileges`; a deep copy. */
  toNxApp(app: Pick<AppSnapshot, 'attributes'>, privileges: readonly string[]): NxApp {
    return toNxApp(app, privileges);
  }

  // ---- data model ----

  /** The app's metadata (with this host's hardware), or the empty structure when it has none. */
  getDataModel(id: string): DataModelMetadata {
    return reportedDataModel(this.requireApp(id).dataModel);
  }

  // ---- the QIX side of apps ----

  qixView(id: string): QixAppView {
    const app = this.requireApp(id);
    return { attributes: cloneJson(app.attributes), hasDataModel: app.dataModel !== undefined, qix: cloneJson(app.qix ?? {}) };
  }

  setScript(id: string, script: string): void {
    const app = this.requireApp(id);
    this.store(id, { ...app, qix: { ...app.qix, script } });
  }

  /**
   * SetAppProperties: qTitle and description are the app's name and description (as REST shows
   * them); every other member is kept as sent in the app's QIX properties.
   */
  setQixProperties(id: string, properties: Record<string, unknown>): void {
    const { qTitle, description, ...rest } = properties;
    if (qTitle !== undefined || description !== undefined) {
      this.updateApp(id, {
        ...(typeof qTitle === 'string' ? { name: qTitle } : {}),
        ...(typeof description === 'string' ? { description } : {}),
      });
    }
    const app = this.requireApp(id);
    this.store(id, { ...app, qix: { ...app.qix, properties: cloneJson(rest) } });
  }

  // ---- media ----

  /** Stores a file; `rawPath` is the path as it arrived in the URL, still percent-encoded. */
  putMediaFile(appId: string, rawPath: string, bytes: Buffer): void {
    const app = this.requireApp(appId);
    const segments = normaliseMediaPath(rawPath, this.limits);
    const media = app.media.clone();
    media.writeFile(segments, bytes, this.limits);
    this.store(appId, { ...app, media });
  }

  getMediaFile(appId: string, rawPath: string): MediaFileContent {
    return copied(this.storedMediaFile(appId, rawPath));
  }

  /**
   * The stored file itself, not a copy: for the HTTP answer (src/routes/media.ts), which only
   * writes it to the socket, so a download of a large file costs no copy of it. Whoever calls this
   * must not write into the bytes; everything else reads files through getMediaFile.
   */
  sendableMediaFile(appId: string, rawPath: string): Buffer {
    return this.storedMediaFile(appId, rawPath).bytes;
  }

  private storedMediaFile(appId: string, rawPath: string): StoredFile {
    const app = this.requireApp(appId);
    return this.readMedia(app, normaliseMediaPath(rawPath, this.limits));
  }

  /** Deletes a file or a whole folder; the root cannot be deleted. */
  deleteMedia(appId: string, rawPath: string): void {
    const app = this.requireApp(appId);
    const segments = normaliseMediaPath(rawPath, this.limits);
    const media = app.media.clone();
    media.remove(segments);
    this.store(appId, { ...app, media });
  }

  /**
   * Paths relative to the media root, sorted: "folder/file.png" for files, "folder/empty/" for
   * empty folders. `show` as the contract documents it: r|recursive, a|all, else the folder only.
   */
  listMedia(appId: string, rawPath: string, show?: string): string[] {
    const app = this.requireApp(appId);
    return app.media.list(normaliseMediaPath(rawPath, this.limits), mediaListMode(show));
  }

  /**
   * The file the app's `thumbnail` attribute names (forms accepted: see thumbnailMediaPath). No
   * thumbnail, a missing file or a thumbnail value that is no valid media path all answer 404:
   * the client asked for no path, so a bad stored one is not its request's fault.
   */
  getThumbnail(appId: string): MediaFileContent {
    return copied(this.storedThumbnail(appId));
  }

  /** The stored thumbnail itself, not a copy: see sendableMediaFile. */
  sendableThumbnail(appId: string): Buffer {
    return this.storedThumbnail(appId).bytes;
  }

  private storedThumbnail(appId: string): StoredFile {
    const app = this.requireApp(appId);
    const rawPath = thumbnailMediaPath(app.attributes.thumbnail);
    const noThumbnail = (why: string): DoubleError => doubleError('mediaNotFound', { detail: `The app has no thumbnail file: ${why}.`, source: { parameter: 'appId' } });
    if (rawPath === undefined) throw noThumbnail('its thumbnail attribute is empty');
    let segments: string[];
    try {
      segments = normaliseMediaPath(rawPath, this.limits);
    } catch {
      throw noThumbnail(`its thumbnail attribute ${JSON.stringify(app.attributes.thumbnail)} is not a valid media path`);
    }
    if (segments.length === 0) throw noThumbnail('its thumbnail attribute names the media root');
    return this.readMedia(app, segments);
  }

  // ---- sessions and health figures ----

  listSessions(): Session[] {
    return cloneJson([...this.layer.sessions]);
  }

  /**
   * Adds a session, or refreshes the one with the same sessionid and userid: the fields given
   * replace the stored ones and it moves to the end. A new session without an app has appid "".
   * Over MAX_SESSIONS, the least recently refreshed goes.
   */
  upsertSession(session: NamedSession): void {
    const sessions = this.layer.writableSessions();
    const index = sessions.findIndex((s) => s.sessionid === session.sessionid && s.userid === session.userid);
    const stored = index === -1 ? { appid: '', ...session } : { ...sessions.splice(index, 1)[0], ...session };
    sessions.push(cloneJson(stored));
    if (sessions.length > MAX_SESSIONS) sessions.shift();
  }

  /** Forgets a session (a live session whose TTL ran out). */
  removeSession(sessionid: string, userid: string): void {
    const index = this.layer.sessions.findIndex((s) => s.sessionid === sessionid && s.userid === userid);
    if (index !== -1) this.layer.writableSessions().splice(index, 1);
  }

  usage(): EngineUsage {
    const { sessions, selections, cache } = this.layer;
    const active = sessions.filter((session) => session.state === ACTIVE_SESSION_STATE);
    const loadedDocs = distinctSorted(sessions.map((session) => session.appid));
    return {
      activeDocs: distinctSorted(active.map((session) => session.appid)),
      loadedDocs,
      inMemoryDocs: [...loadedDocs],
      sessionActive: active.length,
      sessionTotal: sessions.length,
      usersActive: distinctSorted(active.map((session) => session.userid)).length,
      usersTotal: distinctSorted(sessions.map((session) => session.userid)).length,
      selections,
      cache: { ...cache },
    };
  }

  /** The counters as a scenario's `figures`, or nothing while they are all 0. */
  private figuresSection(): Pick<ScenarioDocument, 'figures'> {
    const { selections, cache } = this.layer;
    const { hits, lookups, added, replaced, bytes_added: bytesAdded } = cache;
    if (selections + hits + lookups + added + replaced + bytesAdded === 0) return {};
    return { figures: { selections, cache: { hits, lookups, added, replaced, bytesAdded } } };
  }

  // ---- helpers ----

  private requireApp(id: string): StoredApp {
    const app = this.apps.get(id);
    if (app === undefined) throw appNotFound(id);
    return app;
  }

  /** The stored bytes themselves: the public readers copy them and name their type (see `copied`), the HTTP answer needs neither. */
  private readMedia(app: StoredApp, segments: string[]): StoredFile {
    return { bytes: app.media.readFile(segments), name: segments[segments.length - 1] ?? '' };
  }

  private timestamp(): string {
    return isoTimestamp(this.options.now);
  }

  private freshAppId(): string {
    return freshId(this.options.newId, (id) => this.apps.has(id));
  }

}
