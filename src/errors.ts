/**
 * The one error type of the double. Every 4xx/5xx it sends has the body
 * `{"errors":[{code,title,status,detail,source?,meta?}]}` (ErrorResponse in spec/control-api.json),
 * one entry per problem. Modules throw `DoubleError`s built from the templates below; a pipeline
 * stage returns one as its refusal, and `errorResponse` is the only place that turns them into HTTP.
 */

import type { ErrorEntry, ErrorResponseBody, ErrorSource } from './spec/types';

/**
 * The error shape, as the control contract (spec/control-api.json) types it: ErrorResponse (here
 * ErrorResponseBody), its ErrorEntry, and ErrorSource, where a problem sits in the request (a JSON
 * pointer into the body, or a named parameter or header).
 */
export type { ErrorEntry, ErrorResponseBody, ErrorSource } from './spec/types';

interface ErrorTemplate {
  code: string;
  title: string;
  status: number;
}

const template = (status: number, code: string, title: string): ErrorTemplate => ({ status, code, title });

/** Every kind of error the double answers with. Codes are stable: clients and tests may match on them. */
export const ErrorTemplates = {
  routeNotFound: template(404, 'ROUTE_NOT_FOUND', 'No operation of the contract has this path'),
  methodNotAllowed: template(405, 'METHOD_NOT_ALLOWED', 'The path exists but not with this method'),
  unsupportedMediaType: template(415, 'UNSUPPORTED_MEDIA_TYPE', 'The operation does not consume this Content-Type'),
  payloadTooLarge: template(413, 'PAYLOAD_TOO_LARGE', 'The request is larger than the configured limit'),
  malformedHttp: template(400, 'MALFORMED_HTTP', 'The request is not valid HTTP/1.1'),
  malformedJson: template(400, 'MALFORMED_JSON', 'The request body is not valid JSON'),
  missingBody: template(400, 'MISSING_BODY', 'The operation requires a request body'),
  invalidBody: template(400, 'INVALID_BODY', 'The request body breaks the contract'),
  invalidParameter: template(400, 'INVALID_PARAMETER', 'A parameter breaks the contract'),
  invalidMediaPath: template(400, 'INVALID_MEDIA_PATH', 'The media path is not allowed'),
  invalidImport: template(400, 'INVALID_IMPORT', 'The import cannot be carried out'),
  appNotFound: template(404, 'APP_NOT_FOUND', 'No app has this id'),
  mediaNotFound: template(404, 'MEDIA_NOT_FOUND', 'No media file or folder has this path'),
  mediaLimit: template(413, 'MEDIA_LIMIT_EXCEEDED', 'A media limit of the double was reached'),
  unauthorized: template(401, 'UNAUTHORIZED', 'The request is not authenticated'),
  forbidden: template(403, 'FORBIDDEN', 'The caller lacks the required permission'),
  engineBusy: template(429, 'ENGINE_BUSY', 'The engine is alive but too busy to serve new requests'),
  engineUnhealthy: template(503, 'ENGINE_UNHEALTHY', 'The engine is not healthy'),
  scenarioNotFound: template(404, 'SCENARIO_NOT_FOUND', 'No scenario has this name'),
  journalEntryNotFound: template(404, 'JOURNAL_ENTRY_NOT_FOUND', 'The journal holds no entry with this sequence'),
  invalidScenario: template(400, 'INVALID_SCENARIO', 'The scenario document is not valid'),
  scenarioConflict: template(409, 'SCENARIO_CONFLICT', 'A scenario file already has this name'),
  scenarioLimit: template(429, 'SCENARIO_LIMIT', 'The namespace holds as many inline scenarios as it may'),
  invalidNamespace: template(400, 'INVALID_NAMESPACE', 'The namespace header is not a valid namespace name'),
  namespaceLimit: template(429, 'NAMESPACE_LIMIT', 'The double holds as many namespaces as it may'),
  streamLimit: template(429, 'STREAM_LIMIT', 'The double serves as many event streams as it may'),
  invalidFaultRule: template(400, 'INVALID_FAULT_RULE', 'The fault rule cannot be applied'),
  invalidMatcher: template(400, 'INVALID_MATCHER', 'The request matcher cannot be applied'),
  invalidStub: template(400, 'INVALID_STUB', 'The stub breaks the contract or cannot apply'),
  jsonTooDeep: template(400, 'JSON_TOO_DEEP', 'The JSON document is nested deeper than the double accepts'),
  bodyTimeout: template(408, 'BODY_TIMEOUT', 'The request body did not arrive in time'),
  injectedFault: template(500, 'INJECTED_FAULT', 'A fault rule answered this request'),
  responseContractViolation: template(500, 'RESPONSE_CONTRACT_VIOLATION', 'The double was about to send a response that breaks the contract'),
  upstreamUnreachable: template(502, 'UPSTREAM_UNREACHABLE', 'The engine behind the proxy cannot be reached'),
  upstreamTimeout: template(504, 'UPSTREAM_TIMEOUT', 'The engine behind the proxy did not answer in time'),
  qixNotRelayed: template(501, 'QIX_NOT_RELAYED', 'Proxy mode relays REST calls only, not the QIX websocket'),
  qixConnectionLimit: template(503, 'QIX_CONNECTION_LIMIT', 'The double holds as many QIX sockets as it may'),
  qixProtocolViolation: template(400, 'QIX_PROTOCOL_VIOLATION', 'The QIX request breaks the JSON-RPC protocol or the QIX schema'),
  internal: template(500, 'INTERNAL_ERROR', 'The double failed unexpectedly'),
} as const satisfies Record<string, ErrorTemplate>;

export type ErrorKind = keyof typeof ErrorTemplates;

/** One problem to report: the detail says what, the source says where. */
export interface Problem {
  detail: string;
  source?: ErrorSource;
  meta?: Record<string, unknown>;
}

export class DoubleError extends Error {
  readonly status: number;
  readonly entries: ErrorEntry[];
  readonly headers: Record<string, string>;

  /** Lists at most MAX_ERROR_ENTRIES entries, then one counting the rest (see boundedEntries). */
  constructor(status: number, entries: ErrorEntry[], headers: Record<string, string> = {}) {
    const listed = boundedEntries(entries);
    super(listed.map((e) => e.detail).join('; '));
    this.name = 'DoubleError';
    this.status = status;
    this.entries = listed;
    this.headers = headers;
  }

  toBody(): ErrorResponseBody {
    return { errors: this.entries };
  }
}

/**
 * Most entries one error answer (or journal entry) lists: a document broken everywhere gets these
 * and one entry counting the rest, so no answer grows with the input (docs/security.md).
 */
export const MAX_ERROR_ENTRIES = 100;

/** Longest `detail` or `source` string an entry carries (docs/security.md); longer ones are cut, ending in "…". */
export const MAX_ERROR_TEXT = 10_000;

/**
 * The first `length` UTF-16 units of `text` as a string of its own: V8's slice of a long string
 * keeps the whole original alive, so a kept prefix of a huge input would still hold all of it.
 */
export function detachedPrefix(text: string, length: number): string {
  return Buffer.from(text.slice(0, length)).toString();
}

function clip(text: string): string {
  return text.length <= MAX_ERROR_TEXT ? text : `${detachedPrefix(text, MAX_ERROR_TEXT - 1)}…`;
}

/** An entry or problem whose texts fit MAX_ERROR_TEXT: a detail may quote what the client sent, which may be huge. */
export function clipped<T extends Problem>(entry: T): T {
  const { detail, source } = entry;
  const long = detail.length > MAX_ERROR_TEXT || (source !== undefined && Object.values(source).some((value) => value !== undefined && value.length > MAX_ERROR_TEXT));
  if (!long) return entry;
  return {
    ...entry,
    detail: clip(detail),
    ...(source ? { source: Object.fromEntries(Object.entries(source).map(([key, value]) => [key, clip(value as string)])) as ErrorSource } : {}),
  };
}

/** The first MAX_ERROR_ENTRIES items, then `summary(rest)` in place of the others. */
export function capList<T>(items: readonly T[], summary: (rest: number) => T): T[] {
  if (items.length <= MAX_ERROR_ENTRIES) return [...items];
  return [...items.slice(0, MAX_ERROR_ENTRIES), summary(items.length - MAX_ERROR_ENTRIES)];
}

/**
 * At most MAX_ERROR_ENTRIES entries, clipped, then one (with the code of the first left out)
 * counting the problems of the rest, those an earlier cap already counted included.
 */
export function boundedEntries(entries: readonly ErrorEntry[]): ErrorEntry[] {
  if (entries.length <= MAX_ERROR_ENTRIES) return entries.map(clipped);
  const omitted = entries.slice(MAX_ERROR_ENTRIES);
  const rest = omitted.reduce((sum, entry) => sum + (typeof entry.meta?.unlisted === 'number' ? entry.meta.unlisted : 1), 0);
  const { code, title, status } = omitted[0]!;
  return [...entries.slice(0, MAX_ERROR_ENTRIES).map(clipped), { code, title, status, ...unlistedProblems(rest) }];
}

/** What stands for `rest` problems capList left out. */
export function unlistedProblems(rest: number): Problem {
  return { detail: `and ${rest} more problem${rest === 1 ? '' : 's'} not listed`, meta: { rule: 'limit', unlisted: rest } };
}

/** Fills a template with one or more problems, e.g. `doubleError('appNotFound', {detail: ...})`. */
export function doubleError(
  kind: ErrorKind,
  problems: Problem | Problem[],
  headers: Record<string, string> = {},
): DoubleError {
  const { status, code, title } = ErrorTemplates[kind];
  const entries = (Array.isArray(problems) ? problems : [problems]).map((p) => ({
    code,
    title,
    status: String(status),
    detail: p.detail,
    ...(p.source ? { source: p.source } : {}),
    ...(p.meta ? { meta: p.meta } : {}),
  }));
  return new DoubleError(status, entries, headers);
}

/** An entry for a DoubleError with a status chosen at run time (an injected fault's, say). */
export function errorWithStatus(status: number, detail: string, meta?: Record<string, unknown>): DoubleError {
  const { code, title } = ErrorTemplates.injectedFault;
  return new DoubleError(status, [{ code, title, status: String(status), detail, ...(meta ? { meta } : {}) }]);
}

/** The one place an error becomes an answer: DoubleErrors keep theirs, anything else is a 500. */
export function errorResponse(error: unknown): { status: number; body: ErrorResponseBody; headers: Record<string, string> } {
  const known =
    error instanceof DoubleError
      ? error
      : doubleError('internal', { detail: error instanceof Error ? error.message : String(error) });
  return { status: known.status, body: known.toBody(), headers: known.headers };
}
