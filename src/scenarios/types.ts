/**
 * A scenario document: the engine's whole world at one moment. Files under `scenarios/` (JSON or
 * YAML) hold one each; `GET /__control/state` exports one; `PUT /__control/state` restores one.
 * spec/scenario.schema.json is the JSON Schema of this shape.
 */
import type { ScenarioSecurity } from '../auth/policy';
import type { DataModelMetadata, NxAttributes, Session } from '../spec/types';
import type { QixAppContent } from '../state/apps';

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
  /** What QIX clients see beyond the attributes: layout and properties members, the load script (docs/qix.md). */
  qix?: QixAppContent;
}

/** How /health and /healthcheck report the engine. */
export type EngineCondition = 'healthy' | 'busy' | 'unhealthy';

/** Where the engine's counters start (the REST API never moves them; QIX calls do). */
export interface EngineFigures {
  selections?: number;
  cache?: { hits?: number; lookups?: number; added?: number; replaced?: number; bytesAdded?: number };
}

/** Seeded faker apps added after the fixture's own (same seed, same world). */
export interface AppGenerator {
  count: number;
  /** Give every generated app a data model (tables and fields). */
  withDataModel?: boolean;
  /** Small text files in each generated app's media tree. */
  mediaFilesPerApp?: number;
}

export interface ScenarioGenerators {
  apps?: AppGenerator;
}

export interface ScenarioDocument {
  /** Where an editor finds spec/scenario.schema.json; dropped at load. */
  $schema?: string;
  name: string;
  description?: string;
  /** `stateful` (default) runs the engine model; `spec-examples` answers with Prism's examples. */
  mode?: 'stateful' | 'spec-examples';
  /** In spec-examples mode: Prism's static examples (default) or dynamic ones drawn with `seed`. */
  examples?: 'static' | 'dynamic';
  /** Seed of the generators and of dynamic examples; `--seed` overrides it. */
  seed?: number;
  condition?: EngineCondition;
  apps?: ScenarioApp[];
  sessions?: Session[];
  /** Where the counters /healthcheck and /metrics report start. */
  figures?: EngineFigures;
  /** Expanded at load: a loaded document has the generated apps in `apps` and no `generate`. */
  generate?: ScenarioGenerators;
  /** Present: a secured engine (tokens, access rules; docs/security.md). Absent: every caller may do everything. */
  security?: ScenarioSecurity;
}
