/**
 * The request half of the pipeline: read the body the operation declares (Content-Type, size limit,
 * JSON syntax), then check parameters and body against the operation's compiled validators. Every
 * problem is collected and thrown as one 400 DoubleError; nothing here touches state.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { DoubleError, doubleError, type ErrorEntry, type Problem } from '../errors';
import type { CompiledOperation } from '../spec/contract';
import { isBinarySchema } from '../spec/operations';
import { checkJsonTextDepth } from './json-limits';
import { bodyProblems, parameterProblems } from './problems';
import { mediaTypeOf } from './response';
import { contentTypeVerdict, JSON_MEDIA_TYPE, type RequestWarning } from './tolerance';

function hasBody(headers: IncomingHttpHeaders): boolean {
  return headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
}

/** How long a body may stall (no byte arriving) before the double answers 408 and closes: like Node's header timeout, for bodies. */
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;
/**
 * An over-limit body is still read, up to this many times the limit, and thrown away, so a client
 * that sends its whole body before reading (Node's fetch and http.request do) reads the 413 instead
 * of a reset connection. Past it, or past MAX_DRAIN_MS, the double answers and closes.
 */
export const OVERSIZE_DRAIN_FACTOR = 4;
export const MAX_DRAIN_MS = 10_000;

function payloadTooLarge(size: string, limit: number): DoubleError {
  return doubleError('payloadTooLarge', { detail: `the body is ${size} bytes; the limit is ${limit} bytes`, meta: { limit } }, { Connection: 'close' });
}

function bodyTimeout(received: number, timeoutMs: number): DoubleError {
  return doubleError(
    'bodyTimeout',
    { detail: `no byte of the body arrived for ${timeoutMs} ms (${received} bytes received)`, meta: { timeoutMs, received } },
    { Connection: 'close' },
  );
}

/**
 * Reads the whole body as its bytes arrive (nothing is allocated for what a Content-Length only
 * promises), refusing with 413 past `limit` bytes (after draining, see OVERSIZE_DRAIN_FACTOR) and
 * with 408 when it stalls for `timeoutMs`.
 */
export function readBodyBytes(req: IncomingMessage, limit: number, timeoutMs: number): Promise<Buffer> {
  const drainLimit = limit * OVERSIZE_DRAIN_FACTOR;
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > drainLimit) return Promise.reject(payloadTooLarge(String(declared), limit));
  // A body of a declared length goes into one buffer of that length once half of it has arrived:
  // no second copy of it all at the end, and never more allocated ahead than has arrived.
  const fillable = Number.isFinite(declared) && declared > 0 && declared <= limit ? declared : undefined;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let filled: Buffer | undefined;
    let size = 0;
    let overSince: number | undefined;
    let stall: NodeJS.Timeout | undefined;
    const settle = (outcome: () => void) => {
      clearTimeout(stall);
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      outcome();
    };
    const armStallTimer = () => {
      clearTimeout(stall);
      stall = setTimeout(() => settle(() => reject(overSince === undefined ? bodyTimeout(size, timeoutMs) : payloadTooLarge(`at least ${size}`, limit))), timeoutMs);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (overSince === undefined && size > limit) {
        overSince = performance.now();
        chunks.length = 0;
        filled = undefined;
      }
      if (overSince !== undefined) {
        if (size > drainLimit || performance.now() - overSince > MAX_DRAIN_MS) settle(() => reject(payloadTooLarge(`at least ${size}`, limit)));
        else armStallTimer();
        return;
      }
      if (filled !== undefined && size <= filled.length) chunk.copy(filled, size - chunk.length);
      else if (filled === undefined && fillable !== undefined && size * 2 >= fillable && size <= fillable) {
        filled = Buffer.allocUnsafe(fillable);
        chunks.push(chunk);
        let offset = 0;
        for (const arrived of chunks) offset += arrived.copy(filled, offset);
        chunks.length = 0;
      } else {
        if (filled !== undefined) chunks.push(filled.subarray(0, size - chunk.length));
        filled = undefined;
        chunks.push(chunk);
      }
      armStallTimer();
    };
    const whole = () => (filled !== undefined ? filled.subarray(0, size) : Buffer.concat(chunks, size));
    const onEnd = () => settle(() => (overSince === undefined ? resolve(whole()) : reject(payloadTooLarge(String(size), limit))));
    const onError = (error: Error) => settle(() => reject(error));
    // 'close' before 'end' means the client went away mid-body (a complete request still ends first).
    const onClose = () => {
      if (!req.complete) settle(() => reject(new Error('the client closed the connection before the body ended')));
    };
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
    armStallTimer();
  });
}

/** MISSING_BODY in the caller's words: the operation and the media types it takes, never the contract's internal parameter name. */
export function missingBody(operation: CompiledOperation, consumes: readonly string[]): DoubleError {
  return doubleError('missingBody', { detail: `${operation.id} requires a request body (${consumes.join(' or ')}); none was sent`, source: { pointer: '/' } });
}

/** A request body as read: `value` parsed, `bytes` as they arrived (the journal hashes and measures these, never a re-serialised value). */
export interface ReadBody {
  /** A JSON value for JSON operations, a Buffer for binary ones, undefined when none. */
  value: unknown;
  /** The bytes received; absent when no body was sent. */
  bytes?: Buffer;
}

/**
 * The body, parsed and as received. A Content-Type real engines accept though the contract does
 * not declare it adds a warning to `warnings` (src/validation/tolerance.ts).
 */
export async function readRequestBody(req: IncomingMessage, operation: CompiledOperation, limit: number, warnings: RequestWarning[] = [], timeoutMs = DEFAULT_BODY_TIMEOUT_MS): Promise<ReadBody> {
  const { body } = operation;
  if (!body) return { value: undefined };
  const binary = isBinarySchema(body.schema);
  const mediaType = mediaTypeOf(req.headers['content-type']);
  const checkContentType = () => {
    const warning = contentTypeVerdict(operation, mediaType, binary);
    if (warning) warnings.push(warning);
  };
  if (!hasBody(req.headers)) {
    if (binary) {
      // Empty bytes need no type; one that is sent is judged like any other.
      if (mediaType !== undefined) checkContentType();
      const empty = Buffer.alloc(0);
      return { value: empty, bytes: empty };
    }
    if (!body.required) return { value: undefined };
    throw missingBody(operation, operation.consumes.length > 0 ? operation.consumes : [JSON_MEDIA_TYPE]);
  }
  checkContentType();
  const bytes = await readBodyBytes(req, limit, timeoutMs);
  if (binary) return { value: bytes, bytes };
  if (bytes.length === 0) {
    if (!body.required) return { value: undefined, bytes };
    throw missingBody(operation, [JSON_MEDIA_TYPE]);
  }
  checkJsonTextDepth(bytes);
  try {
    return { value: JSON.parse(bytes.toString('utf8')), bytes };
  } catch (error) {
    throw doubleError('malformedJson', { detail: `the body is not valid JSON: ${(error as Error).message}`, source: { pointer: '/' } });
  }
}

export interface RequestParts {
  rawParams: Record<string, string>;
  /** Repeated query parameters arrive as arrays, so the validator can refuse them. */
  query: Record<string, string | string[]>;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** Percent-decodes path parameters; a malformed escape is a problem of that parameter. */
function decodeParams(rawParams: Record<string, string>): { params: Record<string, string>; problems: Problem[] } {
  const params: Record<string, string> = {};
  const problems: Problem[] = [];
  for (const [name, raw] of Object.entries(rawParams)) {
    try {
      params[name] = decodeURIComponent(raw);
    } catch {
      params[name] = raw;
      problems.push({
        detail: `path parameter '${name}' has a malformed percent-escape: ${raw}`,
        source: { parameter: name },
        meta: { rule: 'percent-encoding', in: 'path' },
      });
    }
  }
  return { params, problems };
}

/** Throws one 400 listing every parameter and body problem; returns the decoded path parameters. */
export function validateRequest(operation: CompiledOperation, parts: RequestParts): Record<string, string> {
  const { params, problems: decodeProblems } = decodeParams(parts.rawParams);
  const headerValues = Object.fromEntries(
    operation.parameters.filter((p) => p.in === 'header').map((p) => [p.name, parts.headers[p.name.toLowerCase()]]),
  );
  const parameterIssues = [...decodeProblems];
  // Coercion writes into these copies, never into what the handler will see.
  const { validateParameters } = operation;
  if (validateParameters && !validateParameters({ path: { ...params }, query: { ...parts.query }, header: headerValues })) {
    parameterIssues.push(...parameterProblems(validateParameters.errors ?? []));
  }
  const entries: ErrorEntry[] = parameterIssues.length > 0 ? doubleError('invalidParameter', parameterIssues).entries : [];
  if (operation.validateBody && parts.body !== undefined && !operation.validateBody(parts.body)) {
    entries.push(...doubleError('invalidBody', bodyProblems(operation.validateBody.errors ?? [])).entries);
  }
  if (entries.length > 0) throw new DoubleError(400, entries);
  return params;
}
