/**
 * The one error type of the double. Every 4xx/5xx it sends has the body
 * `{"errors":[{code,title,status,detail,source?,meta?}]}` (ErrorResponse in spec/control-api.json),
 * one entry per problem. Modules throw `DoubleError`s built from the templates below; the server's
 * error responder is the only place that turns them into HTTP.
 */

/** Where a problem sits in the request: a JSON pointer into the body, or a named parameter. */
export interface ErrorSource {
  pointer?: string;
  parameter?: string;
  header?: string;
}

export interface ErrorEntry {
  code: string;
  title: string;
  status: string;
  detail: string;
  source?: ErrorSource;
  meta?: Record<string, unknown>;
}

export interface ErrorResponseBody {
  errors: ErrorEntry[];
}

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
  invalidScenario: template(400, 'INVALID_SCENARIO', 'The scenario document is not valid'),
  scenarioConflict: template(409, 'SCENARIO_CONFLICT', 'A scenario file already has this name'),
  scenarioLimit: template(429, 'SCENARIO_LIMIT', 'The namespace holds as many inline scenarios as it may'),
  invalidNamespace: template(400, 'INVALID_NAMESPACE', 'The namespace header is not a valid namespace name'),
  namespaceLimit: template(429, 'NAMESPACE_LIMIT', 'The double holds as many namespaces as it may'),
  invalidFaultRule: template(400, 'INVALID_FAULT_RULE', 'The fault rule cannot be applied'),
  invalidMatcher: template(400, 'INVALID_MATCHER', 'The request matcher cannot be applied'),
  invalidStub: template(400, 'INVALID_STUB', 'The stub breaks the contract or cannot apply'),
  injectedFault: template(500, 'INJECTED_FAULT', 'A fault rule answered this request'),
  responseContractViolation: template(500, 'RESPONSE_CONTRACT_VIOLATION', 'The double was about to send a response that breaks the contract'),
  upstreamUnreachable: template(502, 'UPSTREAM_UNREACHABLE', 'The engine behind the proxy cannot be reached'),
  upstreamTimeout: template(504, 'UPSTREAM_TIMEOUT', 'The engine behind the proxy did not answer in time'),
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

  constructor(status: number, entries: ErrorEntry[], headers: Record<string, string> = {}) {
    super(entries.map((e) => e.detail).join('; '));
    this.name = 'DoubleError';
    this.status = status;
    this.entries = entries;
    this.headers = headers;
  }

  toBody(): ErrorResponseBody {
    return { errors: this.entries };
  }
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
