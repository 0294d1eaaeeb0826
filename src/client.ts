// Node's types for every consumer of the declarations (TypeScript 6 includes no @types by default); @types/node is a dependency.
/// <reference types="node" preserve="true" />
/**
 * The control API as methods, one interface (`EngineDoubleControl`) for a double in this process
 * (`startEngineDouble`, in src/index.ts) and for a sidecar reached over HTTP
 * (`connectEngineDouble`, here). Both are built by `controlMethods` over a transport: in process
 * the control routes' own handlers (src/control/invoke.ts), over HTTP `fetch`. So the methods,
 * their answers and their errors are the same whichever way the double runs.
 *
 * This module loads no server code: a test that only talks to a sidecar can require
 * `qlik-engine-double/client` without Express, AJV or the contract.
 */
import { DoubleError, type ErrorEntry } from './errors';
import type { CatalogEntry } from './control/catalog';
import type { CoverageReport } from './control/coverage';
import type { ActiveFaultRule, FaultRuleInput } from './control/faults';
import type { ControlCall } from './control/invoke';
import type { JournalEntry, JournalSearch } from './control/journal';
import type { JournalMatcher } from './control/request-matcher';
import type { ActiveStub, StubInput } from './control/stubs';
import { expectedRange, VerificationError, type VerifyTimes } from './control/verification-report';
import { NAMESPACE_HEADER, namespaceOf } from './control/namespaces';
import type { ControlOperationId, CurrentScenario } from './control/routes';
import type { ScenarioDocument } from './scenarios/types';
import type { NamespaceList, ResponseOf, ScenarioCatalog } from './spec/types';
import { baseUrlText, parseBaseUrl } from './url';

/**
 * What `scenarios()` answers: the scenario the namespace runs and every one it can switch to.
 *
 * @example
 * const { current, scenarios } = await engine.scenarios();
 * console.log(current.name, scenarios.map((s) => s.name));
 */
export type { ScenarioCatalog } from './spec/types';

/**
 * What `namespaces()` answers: every namespace the double holds ("" is the default one).
 *
 * @example
 * const { limit, namespaces } = await engine.namespaces();
 */
export type { NamespaceList } from './spec/types';

/**
 * Which journal entries `journal()` and `violations()` return.
 *
 * @example
 * const lastTen = await engine.journal({ limit: 10 });
 */
export interface JournalQuery {
  /** Only the most recent `limit` entries (a whole number >= 1). */
  limit?: number;
  /** violations(): also entries with only requestWarnings (deviations real engines tolerate). */
  includeWarnings?: boolean;
}

/**
 * The control API of one namespace of a double (docs/control-api.md), the same whether the double
 * runs in this process (`startEngineDouble`) or elsewhere (`connectEngineDouble`). Every method
 * answers what the HTTP call answers and throws a `DoubleError` (with `status` and `entries`, its
 * message the error's details) where HTTP answers 4xx.
 *
 * @example
 * async function freshWorld(engine: EngineDoubleControl): Promise<void> {
 *   await engine.useScenario('default', { seed: 1 });
 *   await engine.clearJournal();
 * }
 */
export interface EngineDoubleControl {
  /** Base URL of the double, e.g. http://127.0.0.1:41234 (no trailing slash). */
  readonly url: string;
  /** The namespace these methods address; "" for the default one. */
  readonly namespaceName: string;
  /**
   * Headers that send an engine call to this namespace's world: `{}` for the default namespace,
   * else `{'x-engine-double-namespace': name}`. Spread them into your client's requests.
   */
  readonly headers: Readonly<Record<string, string>>;
  /** GET /__control/scenarios: the current scenario and every one the namespace can switch to. */
  scenarios(): Promise<ScenarioCatalog>;
  /** POST /__control/scenarios: registers an inline scenario in this namespace (checked like a file); it does not switch. */
  addScenario(document: ScenarioDocument): Promise<CatalogEntry>;
  /** PUT /__control/scenario: switches to a scenario and rebuilds the world from it; `seed` drives its generators. */
  useScenario(name: string, options?: { seed?: number }): Promise<CurrentScenario>;
  /** POST /__control/reset: rebuilds the world from the current scenario; fault rules stay. */
  reset(): Promise<CurrentScenario>;
  /** GET /__control/state: the whole world as a scenario document. */
  state(): Promise<ScenarioDocument>;
  /** PUT /__control/state: replaces the world with the one a document describes (reset still goes back to the scenario). */
  restoreState(state: ScenarioDocument): Promise<void>;
  /** GET /__control/faults: the active fault rules with their counters. */
  faults(): Promise<ActiveFaultRule[]>;
  /** PUT /__control/faults: replaces the fault rules; answers them as `faults()` lists them. */
  setFaults(rules: FaultRuleInput[]): Promise<ActiveFaultRule[]>;
  /** DELETE /__control/faults. */
  clearFaults(): Promise<void>;
  /** GET /__control/journal: this namespace's recent requests, oldest first. */
  journal(query?: JournalQuery): Promise<JournalEntry[]>;
  /** DELETE /__control/journal: forgets this namespace's entries (coverage stays). */
  clearJournal(): Promise<void>;
  /** GET /__control/violations: the journal entries with a contract violation of the request or the response. */
  violations(query?: JournalQuery): Promise<JournalEntry[]>;
  /**
   * POST /__control/journal/find: the journal entries a matcher matches (this namespace's, or the
   * matcher's `namespace`), their count, and when none matched the near misses.
   */
  find(matcher: JournalMatcher): Promise<JournalSearch>;
  /** The entries a matcher matches, oldest first. */
  received(matcher: JournalMatcher): Promise<JournalEntry[]>;
  /** POST /__control/journal/count. */
  count(matcher: JournalMatcher): Promise<number>;
  /**
   * Resolves with the matching entries when their count is what `times` says (exactly `times`,
   * or within `atLeast`/`atMost`; nothing: at least one); else rejects with a VerificationError
   * whose message lists the matches or the near misses.
   */
  verify(matcher: JournalMatcher, times?: VerifyTimes): Promise<JournalEntry[]>;
  /** GET /__control/stubs: this namespace's stubs, in the order tried, with how often each applied. */
  stubs(): Promise<ActiveStub[]>;
  /** PUT /__control/stubs: replaces this namespace's stubs (each checked against the contract). */
  setStubs(stubs: StubInput[]): Promise<ActiveStub[]>;
  /** POST /__control/stubs: adds stubs after the ones held (msw's `use()`); answers the added ones. */
  use(...stubs: StubInput[]): Promise<ActiveStub[]>;
  /** DELETE /__control/stubs. */
  resetStubs(): Promise<void>;
  /** GET /__control/coverage: per engine operation, how often each status was answered (all namespaces together). */
  coverage(): Promise<CoverageReport>;
  /** DELETE /__control/coverage: counting starts again (all namespaces). */
  resetCoverage(): Promise<void>;
  /** GET /__control/namespaces. */
  namespaces(): Promise<NamespaceList>;
  /**
   * The same methods for another namespace (made on its first use, from the default namespace's
   * current scenario). A name that is not a namespace name throws INVALID_NAMESPACE at once.
   */
  namespace(name: string): EngineDoubleControl;
  /** DELETE /__control/namespace: drops this namespace's world, faults and inline scenarios; the default one cannot be dropped (400). */
  dropNamespace(): Promise<void>;
}

/**
 * Carries one control call to a double and resolves with its answer's body (undefined for 204),
 * or rejects with the DoubleError of a refusal.
 *
 * @example
 * const inProcess: ControlTransport = async (operation, call) => (await invokeControl(runtime, operation, call)).body;
 */
export type ControlTransport = <Operation extends ControlOperationId>(operation: Operation, call: ControlCall<Operation>) => Promise<unknown>;

function journalQuery({ limit, includeWarnings }: JournalQuery = {}): ControlCall<'GET /__control/journal' | 'GET /__control/violations'>['query'] {
  return { ...(limit === undefined ? {} : { limit: String(limit) }), ...(includeWarnings ? { includeWarnings: 'true' } : {}) };
}

/**
 * The control methods of one namespace (absent: the default one) over a transport. The namespace
 * name is checked by the function that checks the header on the double, so a bad one ("" too) is
 * refused the same way, before any call.
 *
 * @example
 * const engine = controlMethods(async (operation, call) => (await invokeControl(runtime, operation, call)).body, 'http://127.0.0.1:9076');
 */
export function controlMethods(transport: ControlTransport, url: string, namespace?: string): EngineDoubleControl {
  const scoped = namespace === undefined ? '' : namespaceOf({ [NAMESPACE_HEADER]: namespace });
  // The transport carries JSON; what a control operation answers is typed from its 2xx schema in the control contract.
  const send = async <Operation extends ControlOperationId>(operation: Operation, call: Omit<ControlCall<Operation>, 'namespace'> = {}): Promise<ResponseOf<Operation>> =>
    (await transport(operation, { ...call, namespace: scoped })) as ResponseOf<Operation>;
  const nothing = async (operation: ControlOperationId): Promise<void> => {
    await send(operation);
  };
  // Swagger 2.0 has no union or null types, so the control contract leaves two fields of a journal
  // entry untyped and describes them: a QIX call's `requestId` (an integer, a string or null) and a
  // journaled query's values (a value, or the list of a repeated one). JournalEntry says so in types.
  const recorded = (entries: ResponseOf<'GET /__control/journal'>['entries']) => entries as JournalEntry[];
  const find = async (matcher: JournalMatcher) => (await send('POST /__control/journal/find', { body: matcher })) as JournalSearch;
  return {
    url,
    namespaceName: scoped,
    headers: Object.freeze<Record<string, string>>(scoped === '' ? {} : { [NAMESPACE_HEADER]: scoped }),
    scenarios: () => send('GET /__control/scenarios'),
    addScenario: (document) => send('POST /__control/scenarios', { body: document }),
    useScenario: (name, options = {}) => send('PUT /__control/scenario', { body: { name, ...(options.seed !== undefined ? { seed: options.seed } : {}) } }),
    reset: () => send('POST /__control/reset'),
    state: () => send('GET /__control/state'),
    restoreState: async (state) => {
      await send('PUT /__control/state', { body: state });
    },
    faults: async () => (await send('GET /__control/faults')).rules,
    setFaults: async (rules) => (await send('PUT /__control/faults', { body: { rules } })).rules,
    clearFaults: () => nothing('DELETE /__control/faults'),
    journal: async (query) => recorded((await send('GET /__control/journal', { query: journalQuery(query) })).entries),
    clearJournal: () => nothing('DELETE /__control/journal'),
    violations: async (query) => recorded((await send('GET /__control/violations', { query: journalQuery(query) })).entries),
    find,
    received: async (matcher) => (await find(matcher)).entries,
    count: async (matcher) => (await send('POST /__control/journal/count', { body: matcher })).count,
    verify: async (matcher, times = {}) => {
      const { min, max } = expectedRange(times);
      const search = await find(matcher);
      if (search.count < min || search.count > max) throw new VerificationError(matcher, times, search);
      return search.entries;
    },
    stubs: async () => (await send('GET /__control/stubs')).stubs,
    setStubs: async (stubs) => (await send('PUT /__control/stubs', { body: { stubs } })).stubs,
    use: async (...stubs) => (await send('POST /__control/stubs', { body: { stubs } })).stubs,
    resetStubs: () => nothing('DELETE /__control/stubs'),
    coverage: () => send('GET /__control/coverage'),
    resetCoverage: () => nothing('DELETE /__control/coverage'),
    namespaces: () => send('GET /__control/namespaces'),
    namespace: (name) => controlMethods(transport, url, name),
    dropNamespace: () => nothing('DELETE /__control/namespace'),
  };
}

/**
 * How long one control call over HTTP may take by default (a switch to `large` takes about a second).
 *
 * @example
 * const patient = await connectEngineDouble(url, { timeoutMs: 4 * DEFAULT_CONTROL_TIMEOUT_MS });
 */
export const DEFAULT_CONTROL_TIMEOUT_MS = 30_000;
/**
 * Longest per-call timeout `connectEngineDouble` accepts: ten minutes.
 *
 * @example
 * const slowest = await connectEngineDouble(url, { timeoutMs: MAX_CONTROL_TIMEOUT_MS });
 */
export const MAX_CONTROL_TIMEOUT_MS = 600_000;
/** How much of an answer that is not the double's error shape an error message quotes. */
const QUOTED_ANSWER_CHARS = 200;

/**
 * Options of `connectEngineDouble`.
 *
 * @example
 * const options: ConnectOptions = { token: process.env.CONTROL_TOKEN, namespace: `worker-${process.env.JEST_WORKER_ID}` };
 */
export interface ConnectOptions {
  /** The double's control token (`--control-token`), sent as `Authorization: Bearer <token>` with every control call. */
  token?: string;
  /** Address this namespace instead of the default one (`client.namespace(other)` reaches others). */
  namespace?: string;
  /** Per call, 1 to MAX_CONTROL_TIMEOUT_MS; DEFAULT_CONTROL_TIMEOUT_MS by default. */
  timeoutMs?: number;
}

function timeoutOf(timeoutMs: number | undefined): number {
  if (timeoutMs === undefined) return DEFAULT_CONTROL_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_CONTROL_TIMEOUT_MS) {
    throw new Error(`connectEngineDouble: timeoutMs must be a whole number from 1 to ${MAX_CONTROL_TIMEOUT_MS}, not ${timeoutMs}`);
  }
  return timeoutMs;
}

/** The entries of a body in the double's error shape, or undefined for any other body. */
function errorEntriesOf(text: string): ErrorEntry[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const errors = (value as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  const wellFormed = errors.every((entry: unknown) => typeof (entry as ErrorEntry | null)?.code === 'string' && typeof (entry as ErrorEntry).detail === 'string');
  return wellFormed ? (errors as ErrorEntry[]) : undefined;
}

function quoted(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > QUOTED_ANSWER_CHARS ? `${flat.slice(0, QUOTED_ANSWER_CHARS)}…` : flat;
}

/** Why fetch failed, in a few words: the socket error's code, a timeout, or the message. */
function failureReason(error: unknown, timeoutMs: number): string {
  // Not instanceof: fetch's errors may come from another realm (jest runs tests in a vm context).
  if ((error as { name?: unknown }).name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** A control call that got no answer from a double: `reason` says why in a few words, without the call. */
function callFailed(operation: string, base: string, reason: string, cause?: unknown): Error & { reason: string } {
  return Object.assign(new Error(`${operation} to the engine double at ${base} failed: ${reason}`, { cause }), { reason });
}

/** Control calls over HTTP: JSON in and out, the token and namespace as headers; a 4xx/5xx in the double's shape throws its DoubleError. */
function httpTransport(base: string, token: string | undefined, timeoutMs: number): ControlTransport {
  return async (operation, { namespace, query, body }) => {
    const [method, path] = operation.split(' ') as [string, string];
    const target = new URL(`${base}${path}`);
    for (const [name, value] of Object.entries(query ?? {})) if (value !== undefined) target.searchParams.set(name, value);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (namespace) headers[NAMESPACE_HEADER] = namespace;
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    const text = body === undefined ? undefined : JSON.stringify(body);
    if (text !== undefined) headers['content-type'] = 'application/json';
    let answer: Response;
    let answerText: string;
    try {
      answer = await fetch(target, { method, headers, ...(text !== undefined ? { body: text } : {}), signal: AbortSignal.timeout(timeoutMs) });
      answerText = await answer.text();
    } catch (error) {
      throw callFailed(operation, base, failureReason(error, timeoutMs), error);
    }
    if (!answer.ok) {
      const entries = errorEntriesOf(answerText);
      if (entries) throw new DoubleError(answer.status, entries);
      throw callFailed(operation, base, `it answered ${answer.status} (${quoted(answerText) || 'no body'}): is an engine double listening there?`);
    }
    if (answerText === '') return undefined;
    try {
      return JSON.parse(answerText) as unknown;
    } catch {
      throw callFailed(operation, base, `it answered ${answer.status} with a body that is not JSON (${quoted(answerText)}): is an engine double listening there?`);
    }
  };
}

/**
 * Connects to a double running elsewhere (a docker-compose sidecar, a CLI started by CI) and
 * resolves with its control methods, after one call (GET /__control/namespaces) that proves the
 * URL answers as a double and the token is accepted.
 *
 * @example
 * import { connectEngineDouble } from 'qlik-engine-double/client';
 *
 * const engine = await connectEngineDouble('http://engine-double:9076', { token: process.env.CONTROL_TOKEN, namespace: 'worker-1' });
 * await engine.useScenario('busy');
 * await fetch(`${engine.url}/health`, { headers: engine.headers }); // 429: this namespace's engine is busy
 * expect(await engine.violations()).toEqual([]);
 */
export async function connectEngineDouble(url: string, options: ConnectOptions = {}): Promise<EngineDoubleControl> {
  const base = baseUrlText(parseBaseUrl(url, 'the URL of the double'));
  const client = controlMethods(httpTransport(base, options.token, timeoutOf(options.timeoutMs)), base, options.namespace);
  try {
    await client.namespaces();
  } catch (error) {
    // The probe is ours, not the caller's: say what failed without naming the call it made.
    const reason = (error as { reason?: unknown }).reason;
    if (typeof reason === 'string') throw new Error(`cannot connect to an engine double at ${base}: ${reason}`, { cause: error });
    throw error;
  }
  return client;
}

export { VerificationError, type VerifyTimes } from './control/verification-report';
export type { JournalMatcher, RequestMatcher } from './control/request-matcher';
export type { ActiveStub, StubInput } from './control/stubs';
