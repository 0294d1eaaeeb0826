/**
 * What a verification expects (`times`, `atLeast`, `atMost`), whether a count meets it, and the
 * report when it does not: the matcher, the count, and the matching entries or, when none
 * matched, the near misses with what differed. Pure and free of server code: the client
 * (`engine.verify`) and the jest matcher (`toHaveReceived`) share it.
 */
import type { JournalEntry, JournalSearch } from './journal';
import type { JournalMatcher } from './request-matcher';

/**
 * How many matching requests a verification expects: exactly `times`, or between `atLeast` and
 * `atMost` (either may be absent). Nothing given: at least one.
 *
 * @example
 * await engine.verify({ operationId: 'DELETE /v1/apps/{appId}' }, { times: 0 });
 */
export interface VerifyTimes {
  times?: number;
  atLeast?: number;
  atMost?: number;
}

const isCount = (n: unknown) => Number.isInteger(n) && (n as number) >= 0;

/** The expectation as bounds; a bad one (negative, fractional, times with a bound, atLeast > atMost) throws a TypeError. */
export function expectedRange(expected: VerifyTimes = {}): { min: number; max: number } {
  const { times, atLeast, atMost } = expected;
  for (const [name, value] of Object.entries({ times, atLeast, atMost })) {
    if (value !== undefined && !isCount(value)) throw new TypeError(`verify: ${name} must be a whole number >= 0, not ${String(value)}`);
  }
  if (times !== undefined && (atLeast !== undefined || atMost !== undefined)) throw new TypeError('verify: give times, or atLeast and/or atMost, not both');
  if (times !== undefined) return { min: times, max: times };
  if (atLeast === undefined && atMost === undefined) return { min: 1, max: Infinity };
  const range = { min: atLeast ?? 0, max: atMost ?? Infinity };
  if (range.min > range.max) throw new TypeError(`verify: atLeast (${range.min}) is more than atMost (${range.max})`);
  return range;
}

/** "exactly 2", "at least 1", "at most 3", "between 1 and 3". */
function describeRange({ min, max }: { min: number; max: number }): string {
  if (min === max) return `exactly ${min}`;
  if (max === Infinity) return `at least ${min}`;
  if (min === 0) return `at most ${max}`;
  return `between ${min} and ${max}`;
}

function entryLine(entry: JournalEntry): string {
  const answer = entry.status === undefined ? 'connection dropped' : String(entry.status);
  const namespace = entry.namespace ? `, namespace ${entry.namespace}` : '';
  const stub = entry.stub !== undefined ? `, stub ${entry.stub}` : '';
  return `${entry.method} ${entry.path} → ${answer} (journal #${entry.sequence}${stub}${namespace})`;
}

/**
 * The report of a search against an expectation: what was expected, what came, the matches or
 * the near misses. `negated`: the expectation was that the count is NOT in the range (jest's `.not`).
 */
export function formatVerification(matcher: JournalMatcher, expected: VerifyTimes, search: JournalSearch, negated = false): string {
  const range = expectedRange(expected);
  const head = `expected ${negated ? 'not ' : ''}${describeRange(range)} request${range.max === 1 ? '' : 's'} matching ${JSON.stringify(matcher)}, but the double journaled ${search.count}`;
  if (search.count > 0) return [`${head}:`, ...search.entries.map((entry, i) => `  ${i + 1}. ${entryLine(entry)}`)].join('\n');
  if (search.nearMisses.length === 0) return `${head}, and no request at all in that namespace and window.`;
  const lines = search.nearMisses.flatMap(({ entry, differences }, i) => [
    `  ${i + 1}. ${entryLine(entry)}`,
    ...differences.map((d) => `       ${d.field}: expected ${d.expected}, got ${d.actual}`),
  ]);
  return [`${head}. Near misses, nearest first:`, ...lines].join('\n');
}

/**
 * Thrown by `engine.verify` when the count is not the expected one; the message is the report,
 * `search` the journal's answer.
 *
 * @example
 * try { await engine.verify(matcher); } catch (error) { if (error instanceof VerificationError) console.log(error.search.nearMisses); }
 */
export class VerificationError extends Error {
  constructor(
    readonly matcher: JournalMatcher,
    readonly expected: VerifyTimes,
    readonly search: JournalSearch,
  ) {
    super(formatVerification(matcher, expected, search));
    this.name = 'VerificationError';
  }
}
