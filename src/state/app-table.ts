/**
 * A world's apps as a copy-on-write layer over a shared base: reads fall through to the base, a
 * write keeps only the app it changes (or the fact that an app is gone) in this layer's own maps,
 * made on its first write. A world made from `large` therefore costs next to nothing until it
 * writes, however many worlds share the base. The order is a Map's: base apps where the base has
 * them (a replaced one keeps its place), then the apps this layer added, in the order they came.
 *
 * A table reads as its base does, so a layer can sit on a world's table: an open transaction
 * writes to such a layer (see WorldLayer), which is then folded into the table below or dropped.
 */
import type { StoredApp } from './apps';

/** What a table reads of what it sits on: a scenario's base (any ReadonlyMap) or another table. */
export type AppSource = Pick<ReadonlyMap<string, StoredApp>, 'size' | 'get' | 'has'> & Iterable<[string, StoredApp]>;

export class AppTable implements AppSource {
  /** Base apps this layer replaced (the app) or removed (null); made on the first write, like `added`. */
  private changed: Map<string, StoredApp | null> | undefined;
  /** Apps this layer added, base ids it removed and added again included (they move to the end, as in a Map). */
  private added: Map<string, StoredApp> | undefined;
  private removedFromBase = 0;

  /** `base` is shared with other worlds or is the table a transaction writes over: nothing here changes it, or the apps in it. */
  constructor(private readonly base: AppSource) {}

  get size(): number {
    return this.base.size - this.removedFromBase + (this.added?.size ?? 0);
  }

  /** Asks the base's `has`, not `get`: a lazily decoded base (src/state/generated-apps.ts) then decodes nothing. */
  has(id: string): boolean {
    if (this.added?.has(id)) return true;
    const changed = this.changed?.get(id);
    return changed === undefined ? this.base.has(id) : changed !== null;
  }

  get(id: string): StoredApp | undefined {
    const own = this.added?.get(id);
    if (own !== undefined) return own;
    const changed = this.changed?.get(id);
    return changed === undefined ? this.base.get(id) : (changed ?? undefined);
  }

  /** Adds or replaces an app (a replaced one keeps its place). */
  set(id: string, app: StoredApp): void {
    if (this.added?.has(id) || !this.base.has(id) || this.changed?.get(id) === null) (this.added ??= new Map()).set(id, app);
    else (this.changed ??= new Map()).set(id, app);
  }

  /** Removes an app, if there is one. */
  delete(id: string): void {
    if (this.added?.has(id)) {
      this.added.delete(id);
    } else if (this.base.has(id) && this.changed?.get(id) !== null) {
      (this.changed ??= new Map()).set(id, null);
      this.removedFromBase += 1;
    }
  }

  /**
   * Writes this layer's changes into `below`, the table it sits on, so that `below` then reads as
   * this layer did (order included): replacements and removals first, then the additions in order
   * (an app this layer removed and added again is removed first, so it goes to the end there too).
   */
  foldInto(below: AppTable): void {
    if (below !== this.base) throw new Error('a layer folds only into the table it sits on');
    for (const [id, app] of this.changed ?? []) {
      if (app === null) below.delete(id);
      else below.set(id, app);
    }
    for (const [id, app] of this.added ?? []) below.set(id, app);
  }

  *entries(): IterableIterator<[string, StoredApp]> {
    for (const [id, app] of this.base) {
      const changed = this.changed?.get(id);
      if (changed !== null) yield [id, changed ?? app];
    }
    if (this.added) yield* this.added.entries();
  }

  *values(): IterableIterator<StoredApp> {
    for (const [, app] of this.entries()) yield app;
  }

  [Symbol.iterator](): IterableIterator<[string, StoredApp]> {
    return this.entries();
  }
}
