/**
 * What a recording learns from proxied traffic: the engine's world as far as its answers showed
 * it, as a scenario document the double can play back. Only exchanges that kept the contract
 * (request and answer) and whose answer body was kept teach anything, so a recording holds nothing
 * the double would refuse to load.
 *
 * - apps: the latest NxApp attributes per id from any answer that returns an NxApp; a successful
 *   DELETE removes the app; a copy takes the source's known media and data model.
 * - media: bytes of successful GETs and PUTs of media files (and of the thumbnail, at the path the
 *   app's `thumbnail` attribute names); a successful DELETE removes the file or folder.
 * - data models from GET data/metadata, sessions from GET /sessions, the condition from /health
 *   (200 healthy, 429 busy, 503 unhealthy).
 *
 * Media and data models of an app whose attributes were never seen keep an app with only its id.
 */
import { isDeepStrictEqual } from 'node:util';
import { DoubleError } from '../errors';
import type { DataModelMetadata, EngineOperationId, NxAttributes, Session } from '../spec/types';
import { normaliseMediaPath, thumbnailMediaPath } from '../state/media-path';
import { isJsonObject } from '../state/scenario-apps';
import type { EngineCondition, ScenarioApp, ScenarioDocument } from '../scenarios/types';
import type { Exchange } from './relay';
import { cloneJson } from '../state/clone';

/** The /health statuses that say how the engine is. */
const CONDITION_OF_HEALTH_STATUS: Readonly<Record<number, EngineCondition>> = { 200: 'healthy', 429: 'busy', 503: 'unhealthy' };

/** Operations whose 200 answer is an NxApp. */
const NX_APP_ANSWERS: ReadonlySet<string> = new Set<EngineOperationId>([
  'POST /v1/apps',
  'POST /v1/apps/import',
  'GET /v1/apps/{appId}',
  'PUT /v1/apps/{appId}',
  'POST /v1/apps/{appId}/copy',
  'PUT /v1/apps/{appId}/publish',
  'PUT /v1/apps/{appId}/unpublish',
]);

interface RecordedApp {
  attributes: NxAttributes;
  /** Media files by decoded path from the media root ("images/logo.png"). */
  media: Map<string, Buffer>;
  dataModel?: DataModelMetadata;
  publishedStream?: string;
}

/** What a recorded scenario is called and says about itself. */
export interface RecordingLabel {
  name: string;
  description?: string;
}

function teaches(exchange: Exchange): exchange is Exchange & { operationId: string; responseBody: Buffer } {
  return (
    exchange.operationId !== undefined &&
    exchange.responseBody !== undefined &&
    exchange.requestViolations.length === 0 &&
    exchange.responseViolations.length === 0
  );
}

/** A JSON body that already passed the contract's schema (so it parses), or undefined when empty. */
function jsonOf(bytes: Buffer): unknown {
  return bytes.length === 0 ? undefined : (JSON.parse(bytes.toString('utf8')) as unknown);
}

/** A path parameter decoded, or undefined when it cannot be (the double would not have matched it). */
function decoded(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/** The media key of a raw media path, as the engine model names it, or undefined when the double would refuse the path. */
function mediaKey(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  try {
    return normaliseMediaPath(raw).join('/');
  } catch (error) {
    if (error instanceof DoubleError) return undefined;
    throw error;
  }
}

function isUnder(key: string, folder: string): boolean {
  return folder === '' || key.startsWith(`${folder}/`);
}

/** The world a recording has learnt so far; `apply` it exchanges in the order they were answered. */
export class RecordedWorld {
  private readonly apps = new Map<string, RecordedApp>();
  private sessions: Session[] | undefined;
  private condition: EngineCondition | undefined;

  /** Learns what one exchange shows; true when the world changed. */
  apply(exchange: Exchange): boolean {
    if (!teaches(exchange)) return false;
    const { operationId, status, rawParams } = exchange;
    if (operationId === 'GET /health') return this.setCondition(CONDITION_OF_HEALTH_STATUS[status]);
    if (status !== 200) return false;
    const appId = decoded(rawParams.appId);
    const body = exchange.responseBody;
    if (NX_APP_ANSWERS.has(operationId)) return this.learnApp(operationId, appId, jsonOf(body), exchange.requestBody);
    switch (operationId) {
      case 'GET /sessions':
        return this.setSessions(jsonOf(body) as Session[]);
      case 'DELETE /v1/apps/{appId}':
        return appId !== undefined && this.apps.delete(appId);
      case 'GET /v1/apps/{appId}/data/metadata':
        return appId !== undefined && this.setDataModel(appId, jsonOf(body) as DataModelMetadata);
      case 'GET /v1/apps/{appId}/media/files/{path}':
        return appId !== undefined && this.setMedia(appId, mediaKey(rawParams.path), body);
      case 'PUT /v1/apps/{appId}/media/files/{path}':
        return appId !== undefined && this.setMedia(appId, mediaKey(rawParams.path), exchange.requestBody);
      case 'DELETE /v1/apps/{appId}/media/files/{path}':
        return appId !== undefined && this.deleteMedia(appId, mediaKey(rawParams.path));
      case 'GET /v1/apps/{appId}/media/thumbnail':
        return appId !== undefined && this.setMedia(appId, mediaKey(thumbnailMediaPath(this.apps.get(appId)?.attributes.thumbnail)), body);
      default:
        return false;
    }
  }

  /** The world as a scenario document (media as base64), apps in the order first seen. */
  toScenario(label: RecordingLabel): ScenarioDocument {
    const apps = [...this.apps.values()].map((app): ScenarioApp => {
      const media = [...app.media.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return {
        attributes: cloneJson(app.attributes),
        ...(media.length > 0 ? { media: Object.fromEntries(media.map(([key, bytes]) => [key, { base64: bytes.toString('base64') }])) } : {}),
        ...(app.dataModel !== undefined ? { dataModel: cloneJson(app.dataModel) } : {}),
        ...(app.publishedStream !== undefined ? { publishedStream: app.publishedStream } : {}),
      };
    });
    return {
      name: label.name,
      ...(label.description !== undefined ? { description: label.description } : {}),
      ...(this.condition !== undefined ? { condition: this.condition } : {}),
      apps,
      ...(this.sessions !== undefined ? { sessions: cloneJson(this.sessions) } : {}),
    };
  }

  private app(id: string): RecordedApp {
    let app = this.apps.get(id);
    if (!app) {
      app = { attributes: { id }, media: new Map() };
      this.apps.set(id, app);
    }
    return app;
  }

  private learnApp(operationId: string, sourceId: string | undefined, nxApp: unknown, requestBody: Buffer): boolean {
    const attributes = isJsonObject(nxApp) && isJsonObject(nxApp.attributes) ? (nxApp.attributes as NxAttributes) : undefined;
    const id = attributes?.id;
    if (attributes === undefined || typeof id !== 'string' || id === '') return false;
    const known = this.apps.get(id);
    const source = operationId === 'POST /v1/apps/{appId}/copy' && sourceId !== undefined ? this.apps.get(sourceId) : undefined;
    const app: RecordedApp = known ?? {
      attributes,
      media: new Map(source?.media),
      ...(source?.dataModel !== undefined ? { dataModel: cloneJson(source.dataModel) } : {}),
    };
    let changed = known === undefined || !isDeepStrictEqual(known.attributes, attributes);
    app.attributes = attributes;
    if (operationId === 'PUT /v1/apps/{appId}/publish' || operationId === 'PUT /v1/apps/{appId}/unpublish') {
      const publish = operationId === 'PUT /v1/apps/{appId}/publish' ? jsonOf(requestBody) : undefined;
      const stream = isJsonObject(publish) && typeof publish.stream === 'string' ? publish.stream : undefined;
      changed ||= app.publishedStream !== stream;
      if (stream === undefined) delete app.publishedStream;
      else app.publishedStream = stream;
    }
    this.apps.set(id, app);
    return changed;
  }

  private setCondition(condition: EngineCondition | undefined): boolean {
    if (condition === undefined || condition === this.condition) return false;
    this.condition = condition;
    return true;
  }

  private setSessions(sessions: Session[]): boolean {
    if (isDeepStrictEqual(sessions, this.sessions)) return false;
    this.sessions = sessions;
    return true;
  }

  private setDataModel(appId: string, dataModel: DataModelMetadata): boolean {
    const app = this.app(appId);
    if (isDeepStrictEqual(app.dataModel, dataModel)) return false;
    app.dataModel = dataModel;
    return true;
  }

  /** Stores a file; a file where one of its folders must be, or files under its path, no longer exist. */
  private setMedia(appId: string, key: string | undefined, bytes: Buffer): boolean {
    if (key === undefined || key === '') return false;
    const { media } = this.app(appId);
    if (media.get(key)?.equals(bytes)) return false;
    for (const other of [...media.keys()]) {
      if (isUnder(key, other) || isUnder(other, key)) media.delete(other);
    }
    media.set(key, bytes);
    return true;
  }

  /** Removes a file, or a folder with everything in it. */
  private deleteMedia(appId: string, key: string | undefined): boolean {
    const media = key === undefined ? undefined : this.apps.get(appId)?.media;
    if (media === undefined || key === undefined) return false;
    let changed = false;
    for (const other of [...media.keys()]) {
      if (other === key || isUnder(other, key)) changed = media.delete(other) || changed;
    }
    return changed;
  }
}

/** The scenario a recording of these exchanges (in the order they were answered) makes. Pure. */
export function recordScenario(exchanges: Iterable<Exchange>, label: RecordingLabel): ScenarioDocument {
  const world = new RecordedWorld();
  for (const exchange of exchanges) world.apply(exchange);
  return world.toScenario(label);
}
