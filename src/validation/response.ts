/**
 * The one judge of responses: does an answer keep the contract of its operation? It judges the
 * double's own answers (the response stage, stubs) and a live engine's (`check`, the proxy) by the
 * same rules: a documented status, a body its schema accepts (bytes for binary), a Content-Type the
 * operation produces. They differ in one place only, the error answers: the engine's contract
 * documents no error bodies, so the double's own 4xx/5xx must have its ErrorResponse shape, while a
 * live engine's have no shape the contract knows (a documented error status is judged by its schema,
 * an undocumented one is a problem for `check` and normal traffic for the proxy).
 */
import type { Problem } from '../errors';
import type { EngineResponse } from '../routes/types';
import type { CompiledOperation, Contract } from '../spec/contract';
import { bodyProblems } from './problems';
import { isJsonMediaType } from './tolerance';

/** An answer as it came off the wire. */
export interface ObservedResponse {
  status: number;
  /** The Content-Type header, if any. */
  contentType: string | undefined;
  bytes: Buffer;
}

/** The media type of a Content-Type header, without parameters, lower case; undefined when none is given. */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0]?.trim().toLowerCase() || undefined;
}

/**
 * "Roughly matching": the media type without parameters equals one produced, or both are JSON
 * types, or the operation produces application/octet-stream (any bytes, e.g. a media file
 * served as image/png).
 */
export function contentTypeMatches(contentType: string, produces: readonly string[]): boolean {
  const actual = mediaTypeOf(contentType) ?? '';
  return produces.some((type) => {
    const produced = type.toLowerCase();
    return produced === actual || produced === 'application/octet-stream' || (isJsonMediaType(produced) && isJsonMediaType(actual));
  });
}

/** How much of an error body a problem quotes: enough to recognise it, short enough for a table. */
const EXCERPT_CHARS = 200;

/** The start of a body as one printable line, for quoting in a problem. */
export function bodyExcerpt(bytes: Buffer): string {
  const text = bytes.subarray(0, EXCERPT_CHARS * 4).toString('utf8').replace(/\s+/g, ' ').trim();
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}

function problem(rule: string, detail: string, extra: Record<string, unknown> = {}): Problem {
  return { detail, meta: { rule, ...extra } };
}

/** Who gave the answer: the double's own errors have its ErrorResponse shape; a live engine's have none the contract knows. */
type Answerer = 'double' | 'engine';

/** Status and body against the operation's documented responses (or, for the double's errors, ErrorResponse). */
function statusAndBodyProblems(contract: Contract, operation: CompiledOperation | undefined, status: number, body: unknown, answerer: Answerer): Problem[] {
  const where = `${operation?.id ?? 'unmatched request'} ${status}`;
  if (status >= 400 && answerer === 'double') {
    return contract.validateErrorResponse(body) ? [] : bodyProblems(contract.validateErrorResponse.errors ?? [], `${where} error body`);
  }
  if (!operation) return [];
  const validator = operation.responseValidators[String(status)];
  if (validator === undefined) {
    const documented = Object.keys(operation.responses).join(', ');
    return [problem('status', `${where}: status ${status} is not documented (documented: ${documented})`)];
  }
  if (validator === null) return [];
  if (validator === 'binary') {
    return Buffer.isBuffer(body) ? [] : [problem('format', `${where}: a binary body must be bytes`, { format: 'binary' })];
  }
  return validator(body) ? [] : bodyProblems(validator.errors ?? [], `${where} body`);
}

/** A successful answer with a body must name a media type the operation produces. */
function contentTypeProblems(operation: CompiledOperation | undefined, status: number, contentType: string | undefined): Problem[] {
  if (!operation || status >= 400 || operation.produces.length === 0) return [];
  const where = `${operation.id} ${status}`;
  const produces = operation.produces.join(', ');
  if (contentType === undefined) return [problem('content-type', `${where}: a body without a Content-Type (produces ${produces})`)];
  return contentTypeMatches(contentType, operation.produces) ? [] : [problem('content-type', `${where}: Content-Type ${contentType} is not one it produces (${produces})`)];
}

/** The Content-Type the double's writer (src/server.ts `send`) gives a body: a handler's own for bytes, else octet-stream; JSON for the rest. */
function contentTypeSent(response: EngineResponse): string | undefined {
  if (response.body === undefined || response.stream) return undefined;
  if (!Buffer.isBuffer(response.body)) return 'application/json; charset=utf-8';
  const declared = Object.entries(response.headers ?? {}).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
  return declared ?? 'application/octet-stream';
}

/** Every way one of the double's own answers (a handler's or a stub's) breaks the contract; empty when it keeps it. */
export function responseProblems(contract: Contract, operation: CompiledOperation | undefined, response: EngineResponse): Problem[] {
  const problems = statusAndBodyProblems(contract, operation, response.status, response.body, 'double');
  const sent = contentTypeSent(response);
  return sent === undefined ? problems : [...problems, ...contentTypeProblems(operation, response.status, sent)];
}

/** The body as the operation's validators want it: bytes for binary, parsed JSON for a schema, nothing without one. */
function decodeBody(operation: CompiledOperation, observed: ObservedResponse): { ok: true; body: unknown } | { ok: false; problem: Problem } {
  const validator = operation.responseValidators[String(observed.status)];
  if (validator === 'binary') return { ok: true, body: observed.bytes };
  if (typeof validator !== 'function') return { ok: true, body: undefined };
  const where = `${operation.id} ${observed.status}`;
  if (observed.bytes.length === 0) return { ok: false, problem: problem('json', `${where}: the body is empty, but the contract documents a JSON schema for it`) };
  try {
    return { ok: true, body: JSON.parse(observed.bytes.toString('utf8')) };
  } catch {
    return { ok: false, problem: problem('json', `${where}: the body is not JSON: ${bodyExcerpt(observed.bytes)}`) };
  }
}

export interface ObservedJudgement {
  /**
   * An error status the contract does not document: a problem (`error-status`) for `check`, where a
   * healthy call should not get one; accepted for the proxy, whose clients meet 401, 404 or 429
   * from real engines in normal use.
   */
  undocumentedErrors: 'problem' | 'accepted';
}

/** Every way a live engine's answer breaks the contract of `operation`; empty when it keeps it. */
export function observedResponseProblems(contract: Contract, operation: CompiledOperation, observed: ObservedResponse, judgement: ObservedJudgement): Problem[] {
  const { status } = observed;
  if (status >= 400 && !(String(status) in operation.responses)) {
    if (judgement.undocumentedErrors === 'accepted') return [];
    const excerpt = bodyExcerpt(observed.bytes);
    return [
      problem(
        'error-status',
        `${operation.id} answered ${status}, an error the engine's contract does not document (a healthy call should not get one)${excerpt ? `: ${excerpt}` : ''}`,
      ),
    ];
  }
  const decoded = decodeBody(operation, observed);
  if (!decoded.ok) return [decoded.problem];
  const problems = statusAndBodyProblems(contract, operation, status, decoded.body, 'engine');
  return observed.bytes.length === 0 ? problems : [...problems, ...contentTypeProblems(operation, status, observed.contentType)];
}
