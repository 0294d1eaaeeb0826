/**
 * Judges one answer of a live server against the engine's contract: documented status, body
 * against the status's schema, Content-Type against the operation's `produces`. Pure: an observed
 * answer in, problems out. Status and schema rules are the response stage's own
 * (src/validation/response.ts); only what a live engine adds is decided here: its error answers
 * have no shape the contract knows, so an undocumented 4xx/5xx is a failure of the check rather
 * than a schema question.
 */
import type { CompiledOperation, Contract } from '../spec/contract';
import { bodyProblems } from '../validation/problems';
import { responseProblems } from '../validation/response';

/** One thing wrong with a call: the rule it broke (a JSON Schema keyword or a check rule) and what. */
export interface CheckProblem {
  /** `status`, `error-status`, `content-type`, `json`, `network`, `timeout`, `too-large`, `flow`, or a JSON Schema keyword (`type`, `required`, ...). */
  rule: string;
  detail: string;
}

/** An answer as it came off the wire. */
export interface ObservedResponse {
  status: number;
  /** The Content-Type header, if any. */
  contentType: string | undefined;
  bytes: Buffer;
}

/** How much of an error body a problem quotes: enough to recognise it, short enough for a table. */
const EXCERPT_CHARS = 200;

/** The start of a body as one printable line, for quoting in a problem. */
export function bodyExcerpt(bytes: Buffer): string {
  const text = bytes.subarray(0, EXCERPT_CHARS * 4).toString('utf8').replace(/\s+/g, ' ').trim();
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}

function isJsonType(mediaType: string): boolean {
  return mediaType === 'application/json' || mediaType.endsWith('+json');
}

/**
 * "Roughly matching": the media type without parameters equals one produced, or both are JSON
 * types, or the operation produces application/octet-stream (any bytes, e.g. a media file
 * served as image/png).
 */
export function contentTypeMatches(contentType: string, produces: readonly string[]): boolean {
  const actual = contentType.split(';')[0]!.trim().toLowerCase();
  return produces.some((type) => {
    const produced = type.toLowerCase();
    return produced === actual || produced === 'application/octet-stream' || (isJsonType(produced) && isJsonType(actual));
  });
}

/** The body as the contract's validators want it: bytes for binary, parsed JSON for a schema, nothing without one. */
type DecodedBody = { ok: true; body: unknown } | { ok: false; problem: CheckProblem };

function decodeBody(operation: CompiledOperation, observed: ObservedResponse): DecodedBody {
  const validator = operation.responseValidators[String(observed.status)];
  if (validator === 'binary') return { ok: true, body: observed.bytes };
  if (typeof validator !== 'function') return { ok: true, body: undefined };
  const where = `${operation.id} ${observed.status}`;
  if (observed.bytes.length === 0) return { ok: false, problem: { rule: 'json', detail: `${where}: the body is empty, but the contract documents a JSON schema for it` } };
  try {
    return { ok: true, body: JSON.parse(observed.bytes.toString('utf8')) };
  } catch {
    return { ok: false, problem: { rule: 'json', detail: `${where}: the body is not JSON: ${bodyExcerpt(observed.bytes)}` } };
  }
}

function fromProblems(problems: ReturnType<typeof responseProblems>): CheckProblem[] {
  return problems.map((p) => ({ rule: typeof p.meta?.rule === 'string' ? p.meta.rule : 'schema', detail: p.detail }));
}

/** Every way `observed` breaks the contract of `operation`; empty when it keeps it. */
export function contractProblems(contract: Contract, operation: CompiledOperation, observed: ObservedResponse): CheckProblem[] {
  const status = String(observed.status);
  const documented = status in operation.responses;
  if (observed.status >= 400 && !documented) {
    const excerpt = bodyExcerpt(observed.bytes);
    return [
      {
        rule: 'error-status',
        detail: `${operation.id} answered ${status}, an error the engine's contract does not document (a healthy call should not get one)${excerpt ? `: ${excerpt}` : ''}`,
      },
    ];
  }
  const decoded = decodeBody(operation, observed);
  if (!decoded.ok) return [decoded.problem];
  const problems: CheckProblem[] = [];
  if (observed.status < 400) {
    problems.push(...fromProblems(responseProblems(contract, operation, { status: observed.status, body: decoded.body })));
  } else {
    // A documented error status: responseProblems would demand the double's own error shape, which a live engine need not have.
    const validator = operation.responseValidators[status];
    if (typeof validator === 'function' && !validator(decoded.body)) {
      problems.push(...fromProblems(bodyProblems(validator.errors ?? [], `${operation.id} ${status} body`)));
    }
  }
  if (observed.status < 400 && observed.bytes.length > 0 && operation.produces.length > 0) {
    if (observed.contentType === undefined) {
      problems.push({ rule: 'content-type', detail: `${operation.id} ${status}: a body without a Content-Type (produces ${operation.produces.join(', ')})` });
    } else if (!contentTypeMatches(observed.contentType, operation.produces)) {
      problems.push({ rule: 'content-type', detail: `${operation.id} ${status}: Content-Type ${observed.contentType} is not one it produces (${operation.produces.join(', ')})` });
    }
  }
  return problems;
}
