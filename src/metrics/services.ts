/**
 * What the metrics door (src/metrics/door.ts) is given: the stage list its requests run through,
 * and what its families read. Not the runtime (src/server.ts composes it).
 */
import type { Pipeline } from '../pipeline/call';
import type { EngineStats, Exchange } from '../routes/types';

export interface MetricsServices {
  /** Runs a request of the metrics port through the stages (kind `metrics`): namespace, faults, world, journal. */
  readonly pipeline: Pick<Pipeline, 'run'>;
  /** Calls and active calls, as the healthcheck counts them. */
  readonly stats: EngineStats;
  /** Calls `listener` after every answered (or dropped) request of the API port; returns what stops it. */
  onExchange(listener: (exchange: Exchange) => void): () => void;
  readonly log: (line: string) => void;
  /** The engine's path prefix ("" for none): /metrics is served under it too. */
  readonly basePath: string;
}
