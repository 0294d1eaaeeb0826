/**
 * A scenario document: the engine's whole world at one moment. Files under `scenarios/` (JSON or
 * YAML) hold one each; `GET /__control/state` exports one; `PUT /__control/state` restores one.
 * spec/scenario.schema.json is the JSON Schema of this shape.
 */
import type { DataModelMetadata, NxAttributes, Session } from '../spec/types';

/** A media file: UTF-8 text or base64 bytes. */
export type ScenarioMediaFile = { text: string } | { base64: string };

export interface ScenarioApp {
  /** NxAttributes as the engine returns them; `id` is generated when absent. */
  attributes: NxAttributes;
  /**
   * The app's media tree, keyed by path relative to its media root ("images/logo.png").
   * A key ending in "/" with the value null is an empty folder ("archive/2019/").
   */
  media?: Record<string, ScenarioMediaFile | null>;
  /** Returned by GET /v1/apps/{appId}/data/metadata; absent means the empty structure. */
  dataModel?: DataModelMetadata;
  /** The stream the app was published to, when published. */
  publishedStream?: string;
}

/** How /health and /healthcheck report the engine. */
export type EngineCondition = 'healthy' | 'busy' | 'unhealthy';

export interface ScenarioGenerators {
  /** Seeded faker apps added to the fixture's own (same seed, same world). */
  apps?: { count: number; withDataModel?: boolean; mediaFilesPerApp?: number };
}

export interface ScenarioDocument {
  name: string;
  description?: string;
  /** `stateful` (default) runs the engine model; `spec-examples` answers with Prism's examples. */
  mode?: 'stateful' | 'spec-examples';
  condition?: EngineCondition;
  apps?: ScenarioApp[];
  sessions?: Session[];
  generate?: ScenarioGenerators;
}
