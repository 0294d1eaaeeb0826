/**
 * Apps in the scenario format (ScenarioApp) read into model parts and written back. Used for
 * whole scenarios and for imported app documents, which share the format; only the kinds of
 * error differ, so the caller names them.
 */
import { DoubleError, ErrorTemplates, doubleError, type ErrorKind } from '../errors';
import type { DataModelMetadata, JsonObject, NxAttributes } from '../spec/types';
import type { ScenarioApp, ScenarioMediaFile } from '../scenarios/types';
import type { QixAppContent, StoredApp } from './apps';
import { splitMediaPath } from './media-path';
import { MediaTree } from './media-tree';
import type { MediaLimits } from './options';
import { escapePointer } from '../validation/problems';
import { cloneJson } from './clone';

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An app document's parts, attributes as given (no defaults filled in, id possibly absent). */
export interface DecodedApp {
  attributes: NxAttributes;
  media: MediaTree;
  dataModel?: DataModelMetadata;
  publishedStream?: string;
  qix?: QixAppContent;
}

export interface DecodeContext {
  limits: MediaLimits;
  /** The error for a malformed document. */
  invalid: Extract<ErrorKind, 'invalidScenario' | 'invalidImport'>;
  /** The error for media beyond the limits. */
  limit: Extract<ErrorKind, 'invalidScenario' | 'mediaLimit'>;
  /** JSON pointer of the app within its document: "/apps/3" in a scenario, "" for an imported one. */
  pointer: string;
  /**
   * The document is given over, never to be changed by anyone (a prepared scenario): its parts are
   * kept as they are instead of copied, which halves what a world base of `large` holds.
   */
  owned?: boolean;
}

/** Makes the context's error for a problem at a pointer; the detail is prefixed with where the app is. */
type Fail = (detail: string, pointer: string, kind?: ErrorKind) => DoubleError;

const ATTRIBUTE_TYPES: Readonly<Record<string, 'string' | 'boolean' | 'object'>> = {
  id: 'string',
  name: 'string',
  description: 'string',
  thumbnail: 'string',
  lastReloadTime: 'string',
  createdDate: 'string',
  modifiedDate: 'string',
  owner: 'string',
  dynamicColor: 'string',
  published: 'boolean',
  publishTime: 'string',
  custom: 'object',
};

/** Padded or unpadded standard base64; whitespace (YAML line folding) is ignored. */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function checkAttributes(attributes: JsonObject, fail: Fail, pointer: string): void {
  for (const [name, expected] of Object.entries(ATTRIBUTE_TYPES)) {
    if (!Object.hasOwn(attributes, name)) continue;
    const value = attributes[name];
    const actual = isJsonObject(value) ? 'object' : typeof value;
    if (actual !== expected) throw fail(`attributes.${name} must be a ${expected}, not ${JSON.stringify(value)}`, `${pointer}/${name}`);
  }
  if (attributes.id === '') throw fail('attributes.id must not be empty', `${pointer}/id`);
}

function decodeMediaFile(value: unknown): Buffer | string {
  if (!isJsonObject(value)) return 'must be {"text": ...}, {"base64": ...} or, for an empty folder whose key ends in "/", null';
  const keys = Object.keys(value);
  if (keys.length === 1 && typeof value.text === 'string') return Buffer.from(value.text, 'utf8');
  if (keys.length === 1 && typeof value.base64 === 'string') {
    const compact = value.base64.replace(/\s+/g, '');
    if (!BASE64.test(compact) || compact.length % 4 === 1) return 'is not valid base64';
    return Buffer.from(compact, 'base64');
  }
  return 'must have exactly one of "text" (a string) or "base64" (a string)';
}

function decodeMedia(media: JsonObject, context: DecodeContext, fail: Fail): MediaTree {
  const tree = new MediaTree();
  for (const [key, value] of Object.entries(media)) {
    const pointer = `${context.pointer}/media/${escapePointer(key)}`;
    const isFolderKey = key.endsWith('/');
    const bytes = value === null ? undefined : decodeMediaFile(value);
    if (typeof bytes === 'string') throw fail(`media ${JSON.stringify(key)} ${bytes}`, pointer);
    if (isFolderKey !== (bytes === undefined)) {
      throw fail(`media ${JSON.stringify(key)}: an empty folder's key ends in "/" and its value is null; a file's key does not`, pointer);
    }
    try {
      const segments = splitMediaPath(key, context.limits);
      if (bytes === undefined) tree.makeFolder(segments);
      else tree.writeFile(segments, bytes, context.limits);
    } catch (error) {
      if (!(error instanceof DoubleError)) throw error;
      const kind = error.entries[0]?.code === ErrorTemplates.mediaLimit.code ? context.limit : context.invalid;
      throw fail(`media ${JSON.stringify(key)}: ${error.message}`, pointer, kind);
    }
  }
  return tree;
}

/** Reads one app of the scenario format; throws the context's error kinds for anything malformed. */
export function decodeScenarioApp(value: unknown, context: DecodeContext): DecodedApp {
  const fail: Fail = (detail, pointer, kind = context.invalid) =>
    doubleError(kind, { detail: `${context.pointer === '' ? 'app document' : context.pointer}: ${detail}`, source: { pointer } });
  if (!isJsonObject(value)) throw fail('an app must be an object', context.pointer);
  const { attributes, media, dataModel, publishedStream, qix } = value;
  if (!isJsonObject(attributes)) throw fail('an app needs an "attributes" object', `${context.pointer}/attributes`);
  checkAttributes(attributes, fail, `${context.pointer}/attributes`);
  if (media !== undefined && !isJsonObject(media)) throw fail('"media" must be an object keyed by path', `${context.pointer}/media`);
  if (dataModel !== undefined && !isJsonObject(dataModel)) throw fail('"dataModel" must be an object', `${context.pointer}/dataModel`);
  if (publishedStream !== undefined && typeof publishedStream !== 'string') {
    throw fail('"publishedStream" must be a string', `${context.pointer}/publishedStream`);
  }
  const qixContent = qix === undefined ? undefined : decodeQixContent(qix, `${context.pointer}/qix`, fail, context.owned);
  const keep = context.owned ? <T>(part: T): T => part : cloneJson;
  return {
    attributes: keep(attributes) as NxAttributes,
    media: media === undefined ? new MediaTree() : decodeMedia(media, context, fail),
    ...(dataModel !== undefined ? { dataModel: keep(dataModel) as DataModelMetadata } : {}),
    ...(publishedStream !== undefined ? { publishedStream } : {}),
    ...(qixContent !== undefined ? { qix: qixContent } : {}),
  };
}

function decodeQixContent(qix: unknown, pointer: string, fail: Fail, owned = false): QixAppContent {
  if (!isJsonObject(qix)) throw fail('"qix" must be an object', pointer);
  const { layout, properties, script } = qix;
  if (layout !== undefined && !isJsonObject(layout)) throw fail('"qix.layout" must be an object', `${pointer}/layout`);
  if (properties !== undefined && !isJsonObject(properties)) throw fail('"qix.properties" must be an object', `${pointer}/properties`);
  if (script !== undefined && typeof script !== 'string') throw fail('"qix.script" must be a string', `${pointer}/script`);
  return (owned ? qix : cloneJson(qix)) as QixAppContent;
}

/** A stored app in the scenario format: files always as base64 (binary-safe), empty folders as "path/": null. */
export function encodeStoredApp(app: StoredApp): ScenarioApp {
  const leaves = app.media.leaves();
  // Object.fromEntries defines own properties, so a file named "__proto__" stays a plain key.
  const media = Object.fromEntries(
    leaves.map((leaf): [string, ScenarioMediaFile | null] => [leaf.path, leaf.kind === 'file' ? { base64: leaf.bytes.toString('base64') } : null]),
  );
  return {
    attributes: cloneJson(app.attributes),
    ...(leaves.length > 0 ? { media } : {}),
    ...(app.dataModel !== undefined ? { dataModel: cloneJson(app.dataModel) } : {}),
    ...(app.publishedStream !== undefined ? { publishedStream: app.publishedStream } : {}),
    ...(app.qix !== undefined ? { qix: cloneJson(app.qix) } : {}),
  };
}
