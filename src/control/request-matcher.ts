/**
 * The matcher language, one module for both of its users: journal verification (POST
 * /__control/journal/find and /count) and stubs (PUT /__control/stubs). Both match the same view
 * of a request (`RecordedRequest`: the redacted, bounded one the journal keeps), with the same
 * walk over the matcher (`matches`, `matcherDifferences`, `matcherDistance`), so what a stub
 * answers and what a verification counts never disagree. A matcher that matches nothing still ranks requests by how far they are from it:
 * the near misses a failed verification reports.
 */
import { doubleError, type Problem } from '../errors';
import type { BodyMatcher, Difference, RecordedBody, RequestMatcher, ValueMatcher } from '../spec/types';
import { escapePointer } from '../validation/problems';
import { pathMatches, patternProblem } from './faults';

/**
 * The matcher language's inputs are the control contract's definitions (spec/control-api.json),
 * typed from it: ValueMatcher (one of `equals`, `pattern`, `absent: true`), BodyMatcher
 * (`subset`, `pointers`, `pattern`, `sha256`), RequestMatcher (operation, method, path, query,
 * headers, body: absent fields match anything) and JournalMatcher (a RequestMatcher plus `status`,
 * `namespace` and the window `afterSequence`, `beforeSequence`, `since`, `until`).
 */
export type { BodyMatcher, JournalMatcher, RequestMatcher, ValueMatcher } from '../spec/types';

/**
 * A request body as the journal keeps it (RecordedBody of the control contract): its size, JSON
 * up to the per-entry bound with secrets redacted, anything else as SHA-256, and why `json` is
 * absent (`omitted`).
 */
export type { RecordedBody } from '../spec/types';

/** The request as matchers see it (and as the journal keeps it): secrets redacted, body bounded. */
export interface RecordedRequest {
  method: string;
  /** Without the query string, as sent. */
  pathname: string;
  operationId?: string;
  query: Record<string, string | string[]>;
  /** Lower-case names. */
  headers: Record<string, string>;
  body?: RecordedBody;
}

/** Where a request differs from a matcher: the field, what the matcher wanted, what the request had (Difference of the control contract). */
export type { Difference } from '../spec/types';

/** Longest regular expression a matcher may hold. */
export const MAX_PATTERN_LENGTH = 512;

const shown = (value: unknown): string => (value === undefined ? '(absent)' : JSON.stringify(value) ?? String(value));

/** The value at a JSON pointer (RFC 6901), or undefined when nothing is there. */
function atPointer(document: unknown, pointer: string): unknown {
  if (pointer === '') return document;
  let here: unknown = document;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (here === null || typeof here !== 'object' || !Object.hasOwn(here, key)) return undefined;
    here = (here as Record<string, unknown>)[key];
  }
  return here;
}

/** Deep equality of JSON values (key order does not matter). */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  if (aKeys.length !== Object.keys(b).length) return false;
  return aKeys.every((key) => Object.hasOwn(b, key) && jsonEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

/** Does `actual` contain `expected`: objects by their keys, arrays item by item (each expected item matches one actual item), else equal. */
export function jsonContains(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && expected.every((item) => actual.some((candidate) => jsonContains(candidate, item)));
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
    return Object.entries(expected).every(([key, value]) => Object.hasOwn(actual, key) && jsonContains((actual as Record<string, unknown>)[key], value));
  }
  return actual === expected;
}

/** Regular expressions of matchers, compiled once each (matchers are checked, so each is safe). */
const compiled = new Map<string, RegExp>();
const MAX_COMPILED = 1000;
function regex(pattern: string): RegExp {
  let made = compiled.get(pattern);
  if (!made) {
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    made = new RegExp(pattern, 'u');
    compiled.set(pattern, made);
  }
  return made;
}

/**
 * Called with each way a request differs from a matcher, in the order the matcher's fields come:
 * the field, and how to describe it (only callers that report differences call `describe`, so
 * matching and ranking build no text). Returns true to stop looking.
 */
type Found = (field: string, describe: () => Omit<Difference, 'field'>) => boolean;

function valueMatches(matcher: ValueMatcher, value: string | string[] | undefined): boolean {
  const values = value === undefined ? [] : Array.isArray(value) ? value : [value];
  if (matcher.absent) return values.length === 0;
  if (matcher.equals !== undefined) return values.includes(matcher.equals);
  if (matcher.pattern !== undefined) {
    const test = regex(matcher.pattern);
    return values.some((v) => test.test(v));
  }
  return true;
}

function valueTexts(matcher: ValueMatcher, value: string | string[] | undefined): Omit<Difference, 'field'> {
  const actual = value === undefined ? '(absent)' : shown(value);
  if (matcher.absent) return { expected: '(absent)', actual };
  if (matcher.equals !== undefined) return { expected: shown(matcher.equals), actual };
  return { expected: `matches /${matcher.pattern}/`, actual };
}

/** Reports each way `body` differs from `matcher`; true when `found` said stop. */
function visitBodyDifferences(matcher: BodyMatcher, body: RecordedBody | undefined, found: Found): boolean {
  if (matcher.sha256 !== undefined && body?.sha256 !== matcher.sha256) {
    const sha256 = matcher.sha256;
    if (found('body.sha256', () => ({ expected: sha256, actual: body === undefined ? '(no body)' : (body.sha256 ?? '(a JSON body, kept as JSON)') }))) return true;
  }
  const needsJson = matcher.subset !== undefined || matcher.pointers !== undefined || matcher.pattern !== undefined;
  if (!needsJson) return false;
  if (body === undefined || body.json === undefined) {
    return found('body', () => ({ expected: 'a JSON body', actual: body === undefined ? '(no body)' : `(${body.size} bytes not kept: ${body.omitted ?? 'binary'})` }));
  }
  const json = body.json;
  if (matcher.subset !== undefined && !jsonContains(json, matcher.subset)) {
    const subset = matcher.subset;
    if (found('body', () => ({ expected: `contains ${shown(subset)}`, actual: shown(json) }))) return true;
  }
  for (const [pointer, expected] of Object.entries(matcher.pointers ?? {})) {
    const actual = atPointer(json, pointer);
    if (!jsonEqual(actual, expected) && found(`body${pointer}`, () => ({ expected: shown(expected), actual: shown(actual) }))) return true;
  }
  if (matcher.pattern !== undefined && !regex(matcher.pattern).test(JSON.stringify(json))) {
    const pattern = matcher.pattern;
    if (found('body', () => ({ expected: `matches /${pattern}/`, actual: shown(json) }))) return true;
  }
  return false;
}

/** Reports each way `request` differs from `matcher`, until `found` says stop. The one test stubs and verifications share. */
function visitDifferences(matcher: RequestMatcher, request: RecordedRequest, found: Found): void {
  const { operationId, method, path } = matcher;
  if (operationId !== undefined && operationId !== request.operationId) {
    if (found('operationId', () => ({ expected: operationId, actual: request.operationId ?? '(no operation)' }))) return;
  }
  if (method !== undefined && method.toUpperCase() !== request.method) {
    if (found('method', () => ({ expected: method.toUpperCase(), actual: request.method }))) return;
  }
  if (path !== undefined && !pathMatches(path, request.pathname)) {
    if (found('path', () => ({ expected: path, actual: request.pathname }))) return;
  }
  for (const [name, test] of Object.entries(matcher.query ?? {})) {
    const value = request.query[name];
    if (!valueMatches(test, value) && found(`query.${name}`, () => valueTexts(test, value))) return;
  }
  for (const [name, test] of Object.entries(matcher.headers ?? {})) {
    const lower = name.toLowerCase();
    const value = request.headers[lower];
    if (!valueMatches(test, value) && found(`headers.${lower}`, () => valueTexts(test, value))) return;
  }
  if (matcher.body) visitBodyDifferences(matcher.body, request.body, found);
}

/** Does `request` match `matcher`? Stops at the first difference and describes none (stubs, counts, find's hits). */
export function matches(matcher: RequestMatcher, request: RecordedRequest): boolean {
  let differs = false;
  visitDifferences(matcher, request, () => (differs = true));
  return !differs;
}

/** Every way `request` differs from `matcher` (empty: it matches), described: what near misses report. Pure. */
export function matcherDifferences(matcher: RequestMatcher, request: RecordedRequest): Difference[] {
  const differences: Difference[] = [];
  visitDifferences(matcher, request, (field, describe) => {
    differences.push({ field, ...describe() });
    return false;
  });
  return differences;
}

const HEAVY_FIELDS = new Set(['operationId', 'method', 'path']);

/** How much one difference weighs in a distance: what a request is (operation, method, path) weighs more than its details. */
export function weightOf(field: string): number {
  return HEAVY_FIELDS.has(field) ? 3 : 1;
}

/** How far a request is from a matcher (0: it matches), the sum of its differences' weights, without describing them. */
export function matcherDistance(matcher: RequestMatcher, request: RecordedRequest): number {
  let distance = 0;
  visitDifferences(matcher, request, (field) => {
    distance += weightOf(field);
    return false;
  });
  return distance;
}

function regexProblem(pointer: string, pattern: string): Problem | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return { detail: `${pointer} is ${pattern.length} characters long; at most ${MAX_PATTERN_LENGTH} are allowed`, source: { pointer }, meta: { rule: 'maxLength', limit: MAX_PATTERN_LENGTH } };
  }
  try {
    new RegExp(pattern, 'u');
  } catch (error) {
    return { detail: `${pointer} is not a regular expression: ${(error as Error).message}`, source: { pointer }, meta: { rule: 'regex' } };
  }
  // Required here: only matchers with patterns need the check.
  const isSafe = require('safe-regex2') as (re: string | RegExp) => boolean;
  if (!isSafe(pattern)) {
    return {
      detail: `${pointer} /${pattern}/ could take exponential time on some inputs (nested quantifiers such as (a+)+): rewrite it without them`,
      source: { pointer },
      meta: { rule: 'safeRegex' },
    };
  }
  return undefined;
}

function valueMatcherProblems(pointer: string, matchers: Record<string, ValueMatcher> | undefined): Problem[] {
  return Object.entries(matchers ?? {}).flatMap(([name, test]) => {
    const at = `${pointer}/${escapePointer(name)}`;
    const problem = test.pattern !== undefined ? regexProblem(`${at}/pattern`, test.pattern) : undefined;
    return problem ? [problem] : [];
  });
}

/**
 * What the control contract's schema cannot say about a matcher (`at` is its pointer in the call's
 * body): bad path patterns, regular expressions that do not compile or could stall the double,
 * malformed JSON pointers, operations the contract does not have.
 */
export function matcherProblems(matcher: RequestMatcher, at: string, knownOperation: (id: string) => boolean): Problem[] {
  const problems: Problem[] = [];
  if (matcher.operationId !== undefined && !knownOperation(matcher.operationId)) {
    problems.push({
      detail: `${at}/operationId ${JSON.stringify(matcher.operationId)} is not an operation of the contract (write it as the journal does: "GET /v1/apps/{appId}")`,
      source: { pointer: `${at}/operationId` },
      meta: { rule: 'operation' },
    });
  }
  if (matcher.path !== undefined) {
    const bad = patternProblem(matcher.path);
    if (bad !== undefined) problems.push({ detail: `${at}/path ${bad}`, source: { pointer: `${at}/path` }, meta: { rule: 'pathPattern' } });
  }
  problems.push(...valueMatcherProblems(`${at}/query`, matcher.query), ...valueMatcherProblems(`${at}/headers`, matcher.headers));
  const body = matcher.body;
  if (body?.pattern !== undefined) {
    const problem = regexProblem(`${at}/body/pattern`, body.pattern);
    if (problem) problems.push(problem);
  }
  for (const pointer of Object.keys(body?.pointers ?? {})) {
    if (pointer !== '' && !pointer.startsWith('/')) {
      problems.push({ detail: `${at}/body/pointers has the key ${JSON.stringify(pointer)}: a JSON pointer starts with "/"`, source: { pointer: `${at}/body/pointers` }, meta: { rule: 'jsonPointer' } });
    }
  }
  return problems;
}

/** Throws INVALID_MATCHER listing every problem of a matcher, or returns it. */
export function checkedMatcher<M extends RequestMatcher>(matcher: M, at: string, knownOperation: (id: string) => boolean): M {
  const problems = matcherProblems(matcher, at, knownOperation);
  if (problems.length > 0) throw doubleError('invalidMatcher', problems);
  return matcher;
}
