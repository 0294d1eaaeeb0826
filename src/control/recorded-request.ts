/**
 * The view of a request that the journal keeps and that matchers test (RecordedRequest in
 * request-matcher.ts): made once per request by the pipeline, before stubs are tried, so a stub
 * and a later verification judge the same thing. Secrets are redacted (redact.ts) and
 * bodies bounded: JSON up to --journal-body-limit is kept, anything else as size and SHA-256.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { journalHeaders, redactJson, redactQuery } from './redact';
import type { RecordedBody, RecordedRequest } from './request-matcher';

/** Largest JSON body (as JSON text) one journal entry keeps unless told otherwise (--journal-body-limit). */
export const DEFAULT_JOURNAL_BODY_LIMIT = 64 * 1024;
/** Most JSON body text the whole journal keeps unless told otherwise (--journal-bodies-total); the oldest bodies go first. */
export const DEFAULT_JOURNAL_BODIES_TOTAL = 16 * 1024 * 1024;

function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The request line, query and headers as kept (no body yet: the pipeline reads it later). */
export function recordRequest(method: string, pathname: string, query: Record<string, string | string[]>, headers: IncomingHttpHeaders): RecordedRequest {
  return { method, pathname, query: redactQuery(query), headers: journalHeaders(headers) };
}

/**
 * A body as kept: a Buffer (binary operation) as size + hash; a JSON value as its redacted value
 * when it fits `limit` bytes, else as size + hash. Both are of `bytes`, the body as received (a
 * client can hash what it sent and match on it, and nothing is serialised again on the hot path);
 * a value given without them (built in process) is measured as its JSON text.
 */
export function recordBody(body: unknown, limit: number, bytes?: Buffer): RecordedBody | undefined {
  if (body === undefined) return undefined;
  if (Buffer.isBuffer(body)) return { size: body.length, sha256: sha256(body), omitted: 'binary' };
  const received = bytes ?? Buffer.from(JSON.stringify(body));
  if (received.length > limit) return { size: received.length, sha256: sha256(received), omitted: 'tooLarge' };
  return { size: received.length, json: redactJson(body) };
}

/** What the journal charges a kept body against --journal-bodies-total: its size as received. */
export function bodyCharge(body: RecordedBody | undefined): number {
  return body?.json === undefined ? 0 : body.size;
}
