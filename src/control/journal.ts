/**
 * The journal: the most recent requests the double served, in one bounded ring buffer for every
 * namespace, each with its operation, status, duration, the fault or stub that answered it, any
 * contract violation of the request or the response, and the request's query, headers and body
 * (redacted, bounded per entry and in total). Control calls read, search and clear it per namespace.
 */
import { isControlPath } from '../base-path';
import { randomUUID } from 'node:crypto';
import { boundedEntries, capList, clipped, unlistedProblems, type ErrorEntry, type Problem } from '../errors';
import type { FaultRule } from './faults';
import { METRICS_PATH } from '../metrics/path';
import { bodyCharge, DEFAULT_JOURNAL_BODIES_TOTAL } from './recorded-request';
import { matcherDifferences, matcherDistance, matches, weightOf, type Difference, type JournalMatcher, type RecordedRequest } from './request-matcher';

/** What an entry keeps of the request besides its line: query, headers and body, secrets redacted, body bounded. */
export type JournaledRequest = Pick<RecordedRequest, 'query' | 'headers' | 'body'>;
import type { RequestWarning } from '../validation/tolerance';

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
  /** The door other than the API's HTTP handler the call came through: a QIX websocket (its upgrade and each method call), the metrics port. */
  door?: 'qix' | 'metrics';
  /** A QIX websocket method call: method "QIX", path the socket's URL; absent for HTTP requests. */
  qix?: QixCall;
  /** Why the double refused the request (4xx it raised itself from the contract), if it did. */
  requestViolations: ErrorEntry[];
  /**
   * Deviations from the contract the double let through because real engines do (a Content-Type the
   * operation does not declare, %2F in a media path); absent when none. Not violations unless asked.
   */
  requestWarnings?: RequestWarning[];
  /** How the response broke the contract, if it did (sent anyway in warn mode, replaced by a 500 in strict). */
  responseViolations: Problem[];
  /** Query, headers and body as matchers test them; absent when the request could not be read (a refused namespace header). */
  request?: JournaledRequest;
  /** The id of the stub that answered, if one did. */
  stub?: number;
}

/** A QIX method call (or a frame that was none), as the journal records it. */
export interface QixCall {
  /** The JSON-RPC method ("" when the frame could not be read as a request). */
  method: string;
  /** The handle addressed: -1 is Global. */
  handle: number;
  /** The request's id; null for a frame without a readable one. */
  requestId: number | string | null;
  /** The socket's number on this double (1, 2, …): the same for every call over one socket. Not the X-Qlik-Session value, which the journal never shows. */
  socket: number;
  /** The engine error answered, if one was. */
  error?: { code: number; message: string; parameter: string };
}

/** A journal entry close to a matcher that found nothing, with how far and where it differs. */
export interface NearMiss {
  distance: number;
  differences: Difference[];
  entry: JournalEntry;
}

/** What a journal search answers. */
export interface JournalSearch {
  count: number;
  entries: JournalEntry[];
  /** When nothing matched: the closest entries of the namespace and window, nearest first. */
  nearMisses: NearMiss[];
}

/** Most near misses a search reports. */
export const MAX_NEAR_MISSES = 5;

/** Which entries a read or a clear is about. */
export interface JournalFilter {
  /**
   * Only this namespace's entries; entries whose namespace header was refused belong to no
   * namespace and go with the default one (""). Absent: every entry.
   */
  namespace?: string;
  /** violations(): also the entries with only requestWarnings. */
  includeWarnings?: boolean;
}

export const DEFAULT_JOURNAL_SIZE = 1000;

/** The request an entry records, as matchers see it. */
function recordedRequestOf(entry: JournalEntry): RecordedRequest {
  const mark = entry.path.indexOf('?');
  return {
    method: entry.method,
    pathname: mark === -1 ? entry.path : entry.path.slice(0, mark),
    ...(entry.operationId !== undefined ? { operationId: entry.operationId } : {}),
    query: entry.request?.query ?? {},
    headers: entry.request?.headers ?? {},
    ...(entry.request?.body ? { body: entry.request.body } : {}),
  };
}

/** Is the entry in the matcher's window (sequence and time)? Outside it an entry is neither a match nor a near miss. */
function inWindow(entry: JournalEntry, { afterSequence, beforeSequence, since, until }: JournalMatcher): boolean {
  if (afterSequence !== undefined && entry.sequence <= afterSequence) return false;
  if (beforeSequence !== undefined && entry.sequence >= beforeSequence) return false;
  if (since !== undefined && Date.parse(entry.time) < Date.parse(since)) return false;
  if (until !== undefined && Date.parse(entry.time) > Date.parse(until)) return false;
  return true;
}

/**
 * Searches are about what a client sent the engine: the double's own control calls (a test's
 * clearJournal, say) and the metrics port's scrapes are left out unless the matcher names a
 * control operation or path, or the metrics path.
 */
function searched(matcher: JournalMatcher): (entry: JournalEntry) => boolean {
  const { operationId, path } = matcher;
  const withControl = isControlPath(operationId?.split(' ')[1] ?? '') || isControlPath(path ?? '');
  const withMetrics = path?.endsWith(METRICS_PATH) ?? false;
  // An entry's path keeps its query string: the control API's is `/__control/…?…`.
  return (entry) => (withControl || !isControlPath(entry.path.split('?', 1)[0]!)) && (withMetrics || entry.door !== 'metrics');
}

const statusDiffers = (matcher: JournalMatcher, entry: JournalEntry): boolean => matcher.status !== undefined && entry.status !== matcher.status;

/** Does the entry match a journal matcher (its request, then its answer)? Describes nothing. */
function entryMatches(matcher: JournalMatcher, entry: JournalEntry): boolean {
  return !statusDiffers(matcher, entry) && matches(matcher, recordedRequestOf(entry));
}

/** How far an entry is from a journal matcher, without describing how. */
function entryDistance(matcher: JournalMatcher, entry: JournalEntry): number {
  return matcherDistance(matcher, recordedRequestOf(entry)) + (statusDiffers(matcher, entry) ? weightOf('status') : 0);
}

/** Every way an entry differs from a journal matcher: the request's differences, then its answer's. */
function entryDifferences(matcher: JournalMatcher, entry: JournalEntry): Difference[] {
  const differences = matcherDifferences(matcher, recordedRequestOf(entry));
  if (statusDiffers(matcher, entry)) {
    differences.push({ field: 'status', expected: String(matcher.status), actual: entry.status === undefined ? '(connection dropped)' : String(entry.status) });
  }
  return differences;
}
function hasViolation(entry: JournalEntry, includeWarnings = false): boolean {
  return entry.requestViolations.length > 0 || entry.responseViolations.length > 0 || (includeWarnings && (entry.requestWarnings?.length ?? 0) > 0);
}

function inFilter(entry: JournalEntry, { namespace }: JournalFilter): boolean {
  return namespace === undefined || (entry.namespace ?? '') === namespace;
}

export type JournalListener = (entry: JournalEntry) => void;

export class Journal {
  /** Names this journal: a restarted double has a new one, so a client resuming by sequence can tell its numbers began again. */
  readonly id = randomUUID();
  private readonly entries: (JournalEntry | undefined)[];
  private next = 0;
  private sequence = 0;
  /** Bytes of JSON body text each kept entry holds, oldest first (insertion order), and their sum (bounded by bodiesTotal). */
  private readonly charges = new Map<JournalEntry, number>();
  private bodyBytes = 0;
  private readonly listeners = new Set<JournalListener>();

  /** `bodiesTotal`: most JSON body text kept in all entries together; past it the oldest bodies are reduced to size + hash. */
  constructor(
    readonly capacity: number = DEFAULT_JOURNAL_SIZE,
    readonly bodiesTotal: number = DEFAULT_JOURNAL_BODIES_TOTAL,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`journal size must be a whole number >= 1, not ${capacity}`);
    if (!Number.isInteger(bodiesTotal) || bodiesTotal < 0) throw new Error(`journal bodies total must be a whole number of bytes >= 0, not ${bodiesTotal}`);
    this.entries = new Array<JournalEntry | undefined>(capacity);
  }

  /** Keeps at most MAX_ERROR_ENTRIES violations of each kind (and a count of the rest), each text clipped, so no entry grows with its request. */
  record(entry: Omit<JournalEntry, 'sequence'>): JournalEntry {
    this.sequence += 1;
    const full = {
      sequence: this.sequence,
      ...entry,
      requestViolations: boundedEntries(entry.requestViolations),
      responseViolations: capList(entry.responseViolations, unlistedProblems).map(clipped),
    };
    const replaced = this.entries[this.next];
    if (replaced) this.release(replaced);
    this.entries[this.next] = full;
    this.next = (this.next + 1) % this.capacity;
    const charge = bodyCharge(full.request?.body);
    if (charge > 0) {
      this.charges.set(full, charge);
      this.bodyBytes += charge;
      this.keepBodiesWithinTotal();
    }
    for (const listener of this.listeners) listener(full);
    return full;
  }

  /** Forgets what an entry leaving the journal charged. */
  private release(entry: JournalEntry): void {
    this.bodyBytes -= this.charges.get(entry) ?? 0;
    this.charges.delete(entry);
  }

  /** Past --journal-bodies-total, the oldest kept bodies become size + hash (`omitted: journalFull`) until the rest fit. */
  private keepBodiesWithinTotal(): void {
    if (this.bodyBytes <= this.bodiesTotal) return;
    // Only the entries still holding a body, oldest first: no walk over the whole journal per request.
    for (const entry of this.charges.keys()) {
      const body = entry.request?.body;
      if (!body || body.json === undefined) continue;
      this.release(entry);
      const { json: _dropped, ...rest } = body;
      entry.request = { ...entry.request!, body: { ...rest, omitted: 'journalFull' } };
      if (this.bodyBytes <= this.bodiesTotal) return;
    }
  }

  /**
   * The entries of `namespace` that match (oldest first; control calls only when the matcher names
   * a control operation or path); when none does, the entries of the
   * namespace and window nearest to the matcher, nearest first (ties: the most recent first).
   */
  find(matcher: JournalMatcher, namespace: string): JournalSearch {
    const candidates = this.candidates(matcher, namespace);
    const entries = candidates.filter((entry) => entryMatches(matcher, entry));
    if (entries.length > 0) return { count: entries.length, entries, nearMisses: [] };
    // Ranked by distance alone; only the few reported are described (a description can hold a 64 KB body).
    const nearMisses = candidates
      .map((entry) => ({ distance: entryDistance(matcher, entry), entry }))
      .sort((a, b) => a.distance - b.distance || b.entry.sequence - a.entry.sequence)
      .slice(0, MAX_NEAR_MISSES)
      .map(({ distance, entry }) => ({ distance, differences: entryDifferences(matcher, entry), entry }));
    return { count: 0, entries, nearMisses };
  }

  /** How many entries `find` would return, without near misses or descriptions (POST /__control/journal/count). */
  count(matcher: JournalMatcher, namespace: string): number {
    return this.candidates(matcher, namespace).filter((entry) => entryMatches(matcher, entry)).length;
  }

  /** The entries of the namespace and window a search looks at, oldest first. */
  private candidates(matcher: JournalMatcher, namespace: string): JournalEntry[] {
    const isSearched = searched(matcher);
    return this.list({ namespace }).filter((entry) => inWindow(entry, matcher) && isSearched(entry));
  }

  /** Calls `listener` with every entry recorded from now on (GET /__control/events); returns the call that stops it. */
  subscribe(listener: JournalListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The entry with this sequence number, while the journal holds it. */
  entry(sequence: number): JournalEntry | undefined {
    return this.entries.find((e) => e?.sequence === sequence);
  }

  /** Oldest first. */
  list(filter: JournalFilter = {}): JournalEntry[] {
    const ordered = [...this.entries.slice(this.next), ...this.entries.slice(0, this.next)];
    return ordered.filter((e): e is JournalEntry => e !== undefined && inFilter(e, filter));
  }

  violations(filter: JournalFilter = {}): JournalEntry[] {
    return this.list(filter).filter((entry) => hasViolation(entry, filter.includeWarnings));
  }

  /** Forgets the entries the filter selects; the others keep their order and sequence numbers. */
  clear(filter: JournalFilter = {}): void {
    const kept = filter.namespace === undefined ? [] : this.list().filter((e) => !inFilter(e, filter));
    const staying = new Set(kept);
    for (const entry of this.list()) if (!staying.has(entry)) this.release(entry);
    this.entries.fill(undefined);
    kept.forEach((entry, index) => (this.entries[index] = entry));
    this.next = kept.length % this.capacity;
  }
}
