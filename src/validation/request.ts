/**
 * The request half of the pipeline: read the body the operation declares (Content-Type, size limit,
 * JSON syntax), then check parameters and body against the operation's compiled validators. Every
 * problem is collected and thrown as one 400 DoubleError; nothing here touches state.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { DoubleError, doubleError, type ErrorEntry, type Problem } from '../errors';
import type { CompiledOperation } from '../spec/contract';
import { isBinarySchema } from '../spec/operations';
import { bodyProblems, parameterProblems } from './problems';
import { contentTypeVerdict, JSON_MEDIA_TYPE, type RequestWarning } from './tolerance';

function mediaTypeOf(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0]?.trim().toLowerCase() || undefined;
}

function hasBody(headers: IncomingHttpHeaders): boolean {
  return headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
}

/** Reads the whole body, refusing with 413 as soon as it passes `limit` bytes. */
async function readLimited(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = (size: string) =>
    doubleError(
      'payloadTooLarge',
      { detail: `the body is ${size} bytes; the limit is ${limit} bytes`, meta: { limit } },
      { Connection: 'close' },
    );
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(String(declared));
  // With a known length, one buffer is allocated and filled: no chunk list, no second copy.
  const body = Number.isFinite(declared) ? Buffer.allocUnsafe(declared) : undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    if (size + chunk.length > limit || (body && size + chunk.length > body.length)) throw tooLarge(`at least ${size + chunk.length}`);
    if (body) chunk.copy(body, size);
    else chunks.push(chunk);
    size += chunk.length;
  }
  return body ? body.subarray(0, size) : Buffer.concat(chunks, size);
}

/** MISSING_BODY in the caller's words: the operation and the media types it takes, never the contract's internal parameter name. */
export function missingBody(operation: CompiledOperation, consumes: readonly string[]): DoubleError {
  return doubleError('missingBody', { detail: `${operation.id} requires a request body (${consumes.join(' or ')}); none was sent`, source: { pointer: '/' } });
}

/**
 * The parsed body: a JSON value for JSON operations, a Buffer for binary ones, undefined when none.
 * A Content-Type real engines accept though the contract does not declare it adds a warning to
 * `warnings` (src/validation/tolerance.ts).
 */
export async function readRequestBody(req: IncomingMessage, operation: CompiledOperation, limit: number, warnings: RequestWarning[] = []): Promise<unknown> {
  const { body } = operation;
  if (!body) return undefined;
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
      return Buffer.alloc(0);
    }
    if (!body.required) return undefined;
    throw missingBody(operation, operation.consumes.length > 0 ? operation.consumes : [JSON_MEDIA_TYPE]);
  }
  checkContentType();
  const bytes = await readLimited(req, limit);
  if (binary) return bytes;
  if (bytes.length === 0) {
    if (!body.required) return undefined;
    throw missingBody(operation, [JSON_MEDIA_TYPE]);
  }
  try {
    return JSON.parse(bytes.toString('utf8'));
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
