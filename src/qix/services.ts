/**
 * What the QIX websocket door (src/qix/door.ts) is given: the stage list its upgrades run through,
 * the journal those stages write (each method call is recorded there too), and the few services a
 * session uses. Not the runtime (src/server.ts composes it, as control handlers get ControlServices).
 */
import type { Gatekeeper } from '../auth/gatekeeper';
import type { Journal } from '../control/journal';
import type { Pipeline } from '../pipeline/call';
import type { EngineStats } from '../routes/types';

export interface QixServices {
  /** Runs an upgrade through the stages (kind `qix`): namespace, faults, world, identity, journal. */
  readonly pipeline: Pick<Pipeline, 'run'>;
  /** The journal the stages write: a session records each method call in it. */
  readonly journal: Pick<Journal, 'record'>;
  /** The access checks of OpenDoc ('read') and of the methods that change an app ('update'). */
  readonly gatekeeper: Pick<Gatekeeper, 'authorizeApp'>;
  /** Calls counted for the healthcheck and the metrics. */
  readonly stats: EngineStats;
  readonly log: (line: string) => void;
  /** The engine's path prefix ("" for none): the door's default. */
  readonly basePath: string;
  /** True in proxy mode, which relays no websocket. */
  readonly proxyMode: boolean;
}
