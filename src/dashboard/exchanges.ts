/**
 * What the dashboard shows of a request beyond its journal entry: the headers and bodies of the
 * request and the response, kept for the most recent EXCHANGES_KEPT requests and cut to
 * BODY_TEXT_LIMIT, so the memory they take is bounded whatever the traffic. Read with
 * GET /__control/journal/{sequence}. Secrets are hidden (src/control/redact.ts) before anything is
 * shown. A response is kept as the pipeline produced it (its headers, the JSON text or bytes sent)
 * and formatted only when shown, so a request nobody looks at costs no formatting; bytes, and text
 * beyond BODY_TEXT_LIMIT, are captured at once so that no large body is held.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { journalHeaders, redactedJsonHead } from '../control/redact';
import { detachedPrefix } from '../errors';
import type { JournalEntry } from '../control/journal';
import type { RecordedRequest } from '../control/request-matcher';
import { contentTypeFor } from '../state/media-types';

export const EXCHANGES_KEPT = 200;
/** Text beyond this is cut; images up to it get a preview. */
export const BODY_TEXT_LIMIT = 64 * 1024;

/** CapturedBody of the control contract. */
export interface CapturedBody {
  size: number;
  contentType?: string;
  text?: string;
  truncated?: boolean;
  sha256?: string;
  preview?: string;
}

/** CapturedMessage of the control contract. */
export interface CapturedMessage {
  headers: Record<string, string>;
  body?: CapturedBody;
}

export interface Exchange {
  request: CapturedMessage;
  response?: CapturedMessage;
}

const TEXT_TYPE = /^(text\/|application\/([\w.+-]*\+)?(json|xml|x-www-form-urlencoded|javascript|yaml)\b)/i;

/** Headers as the journal keeps them (src/control/redact.ts hides the secrets). */
function capturedHeaders(headers: IncomingHttpHeaders | OutgoingHttpHeaders): Record<string, string> {
  return journalHeaders(Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, typeof value === 'number' ? String(value) : value])));
}

function textBody(text: string, contentType: string | undefined, size = Buffer.byteLength(text)): CapturedBody {
  const kept = text.length <= BODY_TEXT_LIMIT ? text : detachedPrefix(text, BODY_TEXT_LIMIT);
  return { size, ...(contentType ? { contentType } : {}), text: kept, ...(size > Buffer.byteLength(kept) ? { truncated: true } : {}) };
}

/**
 * `fileName`: the path the bytes belong to. The engine serves media as application/octet-stream
 * (its contract produces nothing else), so an image is recognised by its name for the preview.
 */
function bytesBody(bytes: Buffer, contentType: string | undefined, fileName: string | undefined): CapturedBody {
  if (contentType && TEXT_TYPE.test(contentType)) return textBody(bytes.subarray(0, BODY_TEXT_LIMIT).toString('utf8'), contentType, bytes.length);
  const body: CapturedBody = { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  if (contentType) body.contentType = contentType;
  const imageType = contentType?.startsWith('image/') ? contentType : fileName === undefined ? undefined : contentTypeFor(fileName);
  if (imageType?.startsWith('image/') && bytes.length <= BODY_TEXT_LIMIT) body.preview = `data:${imageType};base64,${bytes.toString('base64')}`;
  return body;
}

/**
 * A body as the pipeline holds it: parsed JSON (request), the JSON text sent (response), or bytes.
 * `size`: the bytes received, for a parsed body (its text is written again, redacted, and only its head).
 */
export function captureBody(body: unknown, contentType: string | undefined, fileName?: string, size?: number): CapturedBody | undefined {
  if (body === undefined) return undefined;
  if (Buffer.isBuffer(body)) return bytesBody(body, contentType, fileName);
  if (typeof body === 'string') return textBody(body, contentType);
  // A parsed request body is shown with its secrets hidden, as the journal keeps it.
  const head = redactedJsonHead(body, BODY_TEXT_LIMIT);
  return { size: size ?? Buffer.byteLength(head.text), ...(contentType ? { contentType } : {}), text: head.text, ...(head.truncated ? { truncated: true } : {}) };
}

/** `fileName`: the request's path, which names a media file's type where its Content-Type cannot. */
export function captureMessage(headers: IncomingHttpHeaders | OutgoingHttpHeaders, body: unknown, fileName?: string): CapturedMessage {
  const contentType = headers['content-type'];
  const declared = Number(headers['content-length']);
  const captured = captureBody(body, typeof contentType === 'string' ? contentType : undefined, fileName, Number.isSafeInteger(declared) ? declared : undefined);
  return { headers: capturedHeaders(headers), ...(captured ? { body: captured } : {}) };
}

/** A response as sent, formatted when shown: `body` is JSON text within BODY_TEXT_LIMIT, or already captured. */
export interface SentResponse {
  headers: OutgoingHttpHeaders;
  body: string | CapturedBody | undefined;
  fileName: string | undefined;
}

/** A response to keep: its headers as they are; a body that could be large (bytes, long text) captured now, bounded. */
export function sentResponse(headers: OutgoingHttpHeaders, written: string | Buffer | undefined, fileName?: string): SentResponse {
  const contentType = headers['content-type'];
  const body = written === undefined || (typeof written === 'string' && written.length <= BODY_TEXT_LIMIT) ? written : captureBody(written, typeof contentType === 'string' ? contentType : undefined, fileName);
  return { headers, body, fileName };
}

function shownResponse(sent: SentResponse): CapturedMessage {
  if (typeof sent.body === 'string' || sent.body === undefined) return captureMessage(sent.headers, sent.body, sent.fileName);
  return { headers: capturedHeaders(sent.headers), body: sent.body };
}

/**
 * What the log keeps of an exchange. The request's headers and a JSON body the journal kept are not
 * copied: they are read from the journal's entry when the exchange is shown, so a body is held
 * once (and a body the journal later reduces to size + hash is reduced here too). Only what the
 * journal holds no text of (bytes, JSON over --journal-body-limit) is captured here, bounded.
 */
export interface KeptExchange {
  /** The request as captured, for a call the journal recorded no request of. */
  request?: CapturedMessage;
  /** The request body, when the journal's entry holds no JSON of it. */
  requestBody?: CapturedBody;
  response?: SentResponse;
}

/** What to keep of a request the journal recorded (`recorded`): its body only when the journal keeps no JSON of it. */
export function keptRequestBody(recorded: Pick<RecordedRequest, 'headers' | 'body' | 'pathname'>, body: unknown): Pick<KeptExchange, 'requestBody'> {
  if (recorded.body?.json !== undefined) return {};
  const captured = captureBody(body, recorded.headers['content-type'], recorded.pathname, recorded.body?.size);
  return captured ? { requestBody: captured } : {};
}

/** The exchange as the dashboard shows it: the request from the journal's entry, as it holds it now. */
function shownExchange(entry: Pick<JournalEntry, 'request'>, kept: KeptExchange): Exchange {
  const journaled = entry.request;
  const response = kept.response ? { response: shownResponse(kept.response) } : {};
  if (!journaled) return { request: kept.request ?? { headers: {} }, ...response };
  const contentType = journaled.headers['content-type'];
  const recordedBody = journaled.body;
  const body =
    kept.requestBody ??
    (recordedBody?.json !== undefined
      ? textBody(JSON.stringify(recordedBody.json), contentType, recordedBody.size)
      : recordedBody && { size: recordedBody.size, ...(contentType ? { contentType } : {}), ...(recordedBody.sha256 ? { sha256: recordedBody.sha256 } : {}) });
  return { request: { headers: journaled.headers, ...(body ? { body } : {}) }, ...response };
}

/** The exchanges of the most recent requests, by journal sequence. */
export class ExchangeLog {
  private readonly kept = new Map<number, KeptExchange>();

  constructor(private readonly capacity = EXCHANGES_KEPT) {}

  keep(sequence: number, exchange: KeptExchange): void {
    this.kept.set(sequence, exchange);
    if (this.kept.size > this.capacity) this.kept.delete(this.kept.keys().next().value as number);
  }

  /** The exchange of a journal entry, with what the entry holds of its request now; undefined once no longer kept. */
  shown(entry: Pick<JournalEntry, 'sequence' | 'request'>): Exchange | undefined {
    const kept = this.kept.get(entry.sequence);
    return kept && shownExchange(entry, kept);
  }
}
