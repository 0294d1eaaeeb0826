/**
 * The journal: the most recent requests the double served, in one bounded ring buffer for every
 * namespace, each with its operation, status, duration, the fault that hit it and any contract
 * violation of the request or the response. Control calls read and clear it per namespace.
 */
import type { ErrorEntry, Problem } from '../errors';
import type { FaultRule } from './faults';

export interface JournalEntry {
  /** Increases by one per request since start; survives clears, so clients can page. */
  sequence: number;
  time: string;
  method: string;
  path: string;
  /** `METHOD /path/template` of the matched operation; absent when nothing matched. */
  operationId?: string;
  /** "" for the default namespace; absent when the namespace header was refused. */
  namespace?: string;
  /** Absent when a fault dropped the connection. */
  status?: number;
  durationMs: number;
  /** The fault rule that hit the request, if one did. */
  fault?: FaultRule;
  /** A QIX websocket method call: method "QIX", path the socket's URL; absent for HTTP requests. */
  qix?: QixCall;
  /** Why the double refused the request (4xx it raised itself from the contract), if it did. */
  requestViolations: ErrorEntry[];
  /** How the response broke the contract, if it did (sent anyway in warn mode, replaced by a 500 in strict). */
  responseViolations: Problem[];
}

/** A QIX method call (or a frame that was none), as the journal records it. */
export interface QixCall {
  /** The JSON-RPC method ("" when the frame could not be read as a request). */
  method: string;
  /** The handle addressed: -1 is Global. */
  handle: number;
  /** The request's id; null for a frame without a readable one. */
  requestId: number | string | null;
  /** The X-Qlik-Session value (or generated id) of the socket's session. */
  session: string;
  /** The engine error answered, if one was. */
  error?: { code: number; message: string; parameter: string };
}

/** Which entries a read or a clear is about. */
export interface JournalFilter {
  /**
   * Only this namespace's entries; entries whose namespace header was refused belong to no
   * namespace and go with the default one (""). Absent: every entry.
   */
  namespace?: string;
}

export const DEFAULT_JOURNAL_SIZE = 1000;

function hasViolation(entry: JournalEntry): boolean {
  return entry.requestViolations.length > 0 || entry.responseViolations.length > 0;
}

function inFilter(entry: JournalEntry, { namespace }: JournalFilter): boolean {
  return namespace === undefined || (entry.namespace ?? '') === namespace;
}

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
  list(filter: JournalFilter = {}): JournalEntry[] {
    const ordered = [...this.entries.slice(this.next), ...this.entries.slice(0, this.next)];
    return ordered.filter((e): e is JournalEntry => e !== undefined && inFilter(e, filter));
  }

  violations(filter: JournalFilter = {}): JournalEntry[] {
    return this.list(filter).filter(hasViolation);
  }

  /** Forgets the entries the filter selects; the others keep their order and sequence numbers. */
  clear(filter: JournalFilter = {}): void {
    const kept = filter.namespace === undefined ? [] : this.list().filter((e) => !inFilter(e, filter));
    this.entries.fill(undefined);
    kept.forEach((entry, index) => (this.entries[index] = entry));
    this.next = kept.length % this.capacity;
  }
}
