/**
 * The journal: the most recent requests the double served, in a bounded ring buffer, each with its
 * operation, status, duration and any contract violation of the request or the response.
 */
import type { ErrorEntry, Problem } from '../errors';

export interface JournalEntry {
  /** Increases by one per request since start; survives clears, so clients can page. */
  sequence: number;
  time: string;
  method: string;
  path: string;
  /** `METHOD /path/template` of the matched operation; null when nothing matched. */
  operationId: string | null;
  namespace: string;
  status: number;
  durationMs: number;
  /** Why the double refused the request (4xx it raised itself from the contract), if it did. */
  requestViolations: ErrorEntry[];
  /** How the response broke the contract, if it did (sent anyway in warn mode, replaced by a 500 in strict). */
  responseViolations: Problem[];
}

export const DEFAULT_JOURNAL_SIZE = 1000;

export class Journal {
  private readonly entries: (JournalEntry | undefined)[];
  private next = 0;
  private sequence = 0;

  constructor(readonly capacity: number = DEFAULT_JOURNAL_SIZE) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`journal size must be a whole number >= 1, not ${capacity}`);
    this.entries = new Array<JournalEntry | undefined>(capacity);
  }

  record(entry: Omit<JournalEntry, 'sequence'>): JournalEntry {
    this.sequence += 1;
    const full = { sequence: this.sequence, ...entry };
    this.entries[this.next] = full;
    this.next = (this.next + 1) % this.capacity;
    return full;
  }

  /** Oldest first. */
  list(): JournalEntry[] {
    const ordered = [...this.entries.slice(this.next), ...this.entries.slice(0, this.next)];
    return ordered.filter((e): e is JournalEntry => e !== undefined);
  }

  violations(): JournalEntry[] {
    return this.list().filter((e) => e.requestViolations.length > 0 || e.responseViolations.length > 0);
  }

  clear(): void {
    this.entries.fill(undefined);
    this.next = 0;
  }
}
