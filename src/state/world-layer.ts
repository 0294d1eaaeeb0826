/**
 * What a world holds that can change: its apps, sessions, condition and counters, as one
 * copy-on-write layer. A world is a layer over its scenario's shared base; a transaction is one
 * more layer over the world's, folded into it when kept and dropped otherwise. So everything a
 * request changes is all or nothing by construction, with no undo steps to record.
 */
import type { EngineCondition } from '../scenarios/types';
import type { Session } from '../spec/types';
import { AppTable, type AppSource } from './app-table';

/** The result cache's counters, as /healthcheck names them. */
export interface CacheCounters {
  hits: number;
  lookups: number;
  added: number;
  replaced: number;
  bytes_added: number;
}

/** What a layer starts from: a scenario's base, or the world a transaction writes over. */
export interface LayerStart {
  readonly apps: AppSource;
  readonly sessions: readonly Session[];
  readonly condition: EngineCondition;
  readonly selections: number;
  readonly cache: Readonly<CacheCounters>;
}

export class WorldLayer implements LayerStart {
  readonly apps: AppTable;
  condition: EngineCondition;
  /** Counters are replaced, never edited, so a layer may hold the one below's. */
  selections: number;
  cache: Readonly<CacheCounters>;
  /** Shared with what the layer started from until its first session change (session objects are replaced, never edited). */
  private sessionList: readonly Session[];
  private ownsSessions = false;

  private constructor(
    start: LayerStart,
    /** The world's layer below an open transaction's; undefined for a world's own layer. */
    readonly below?: WorldLayer,
  ) {
    this.apps = new AppTable(start.apps);
    this.condition = start.condition;
    this.selections = start.selections;
    this.cache = start.cache;
    this.sessionList = start.sessions;
  }

  /** A world over a scenario's base: nothing is copied until it changes something. */
  static over(base: LayerStart): WorldLayer {
    return new WorldLayer(base);
  }

  /** A transaction's layer over this world's; see foldIntoBelow. */
  transaction(): WorldLayer {
    return new WorldLayer(this, this);
  }

  get sessions(): readonly Session[] {
    return this.sessionList;
  }

  /** The session list to change in place: this layer's own, copied on its first change. */
  writableSessions(): Session[] {
    if (!this.ownsSessions) {
      this.sessionList = [...this.sessionList];
      this.ownsSessions = true;
    }
    return this.sessionList as Session[];
  }

  /** Keeps a transaction: the world below then holds everything this layer changed. */
  foldIntoBelow(): void {
    const below = this.below;
    if (below === undefined) throw new Error('only a transaction layer folds');
    this.apps.foldInto(below.apps);
    if (this.ownsSessions) {
      below.sessionList = this.sessionList;
      below.ownsSessions = true;
    }
    below.condition = this.condition;
    below.selections = this.selections;
    below.cache = this.cache;
  }
}
