/**
 * A world's apps as a copy-on-write layer over a scenario's shared base: reads fall through to the
 * base, a write keeps only the app it changes (or the fact that an app is gone) in this world's own
 * maps. A world made from `large` therefore costs a few empty maps until it writes, however many
 * worlds share the base. The order is a Map's: base apps where the base has them (a replaced one
 * keeps its place), then the apps this world added, in the order they came.
 */
import type { StoredApp } from './apps';

/** An undo step (see EngineModel.transaction). */
export type Undo = () => void;

export class AppTable {
  /** Base apps this world replaced (the app) or removed (null). */
  private readonly changed = new Map<string, StoredApp | null>();
  /** Apps this world added, base ids it removed and added again included (they move to the end, as in a Map). */
  private readonly added = new Map<string, StoredApp>();
  private removedFromBase = 0;

  /** `base` is shared with other worlds: nothing here ever changes it, or the apps in it. */
  constructor(private readonly base: ReadonlyMap<string, StoredApp>) {}

  get size(): number {
    return this.base.size - this.removedFromBase + this.added.size;
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  get(id: string): StoredApp | undefined {
    const own = this.added.get(id);
    if (own !== undefined) return own;
    const changed = this.changed.get(id);
    return changed === undefined ? this.base.get(id) : (changed ?? undefined);
  }

  /** Adds or replaces an app (a replaced one keeps its place); `undo` is told how to take it back. */
  set(id: string, app: StoredApp, undo?: (step: Undo) => void): void {
    if (this.added.has(id) || !this.base.has(id) || this.changed.get(id) === null) {
      const previous = this.added.get(id);
      // A replaced app keeps its place in a Map, so putting the previous one back restores the order too.
      undo?.(previous === undefined ? () => this.added.delete(id) : () => this.added.set(id, previous));
      this.added.set(id, app);
      return;
    }
    undo?.(this.changedUndo(id));
    this.changed.set(id, app);
  }

  /** Removes an app, if there is one; `undo` is told how to put it back where it was. */
  delete(id: string, undo?: (step: Undo) => void): void {
    if (this.added.has(id)) {
      undo?.(this.addedOrderUndo());
      this.added.delete(id);
    } else if (this.base.has(id) && this.changed.get(id) !== null) {
      undo?.(this.changedUndo(id));
      this.changed.set(id, null);
      this.removedFromBase += 1;
    }
  }

  *values(): IterableIterator<StoredApp> {
    for (const [id, app] of this.base) {
      const changed = this.changed.get(id);
      if (changed !== null) yield changed ?? app;
    }
    yield* this.added.values();
  }

  /** How many apps this world holds of its own (changed, removed or added): what it costs beyond the base. */
  get ownCount(): number {
    return this.changed.size + this.added.size;
  }

  /** Puts `added` back as it is now, order included (a removed app put back with set would go to the end). */
  private addedOrderUndo(): Undo {
    const order = [...this.added];
    return () => {
      this.added.clear();
      for (const [key, app] of order) this.added.set(key, app);
    };
  }

  private changedUndo(id: string): Undo {
    const previous = this.changed.get(id);
    const removedFromBase = this.removedFromBase;
    return () => {
      if (previous === undefined) this.changed.delete(id);
      else this.changed.set(id, previous);
      this.removedFromBase = removedFromBase;
    };
  }
}
