/**
 * Where real engines are known to be more lenient than their contract, the double is too, and says
 * so: each tolerated deviation becomes a RequestWarning on the request's journal entry instead of a
 * refusal (and is not a contract violation unless asked: docs/control-api.md). Where nothing is
 * known, the contract decides. What is tolerated and on what evidence: README "Real clients".
 */
import { doubleError, type ErrorSource } from '../errors';
import type { CompiledOperation } from '../spec/contract';

export type RequestWarningCode = 'CONTENT_TYPE_TOLERATED' | 'ENCODED_SEPARATOR_TOLERATED';

/** One deviation from the contract the double let through, as real engines do. */
export interface RequestWarning {
  code: RequestWarningCode;
  detail: string;
  /** What the request sent: its media type ("" for no Content-Type), or the media path as it arrived. */
  sent: string;
  /** What the contract declares instead. */
  declared: string;
  source?: ErrorSource;
}

export const JSON_MEDIA_TYPE = 'application/json';

/**
 * Operations whose bytes real engines take whatever the Content-Type: Qlik's documentation imports
 * with `curl --data-binary` (application/x-www-form-urlencoded), its CLI sends binary/octet-stream.
 */
const ANY_CONTENT_TYPE_FOR_BYTES: ReadonlySet<string> = new Set(['POST /v1/apps/import']);

/** application/json or any +json type: what a JSON body may be sent, or answered, as. */
export function isJsonMediaType(mediaType: string): boolean {
  return mediaType === JSON_MEDIA_TYPE || mediaType.endsWith('+json');
}

function accepts(consumes: readonly string[], mediaType: string): boolean {
  return consumes.some((c) => c === mediaType || (c === JSON_MEDIA_TYPE && isJsonMediaType(mediaType)));
}

function contentTypeWarning(operation: CompiledOperation, mediaType: string | undefined, declared: readonly string[]): RequestWarning {
  const sent = mediaType === undefined ? 'no Content-Type' : `Content-Type ${mediaType}`;
  return {
    code: 'CONTENT_TYPE_TOLERATED',
    detail: `${operation.id} declares ${declared.join(' or ')}; the request sent ${sent}, which real engines accept, so the double read the body anyway`,
    sent: mediaType ?? '',
    declared: declared.join(', '),
    source: { header: 'content-type' },
  };
}

/**
 * Decides a body's Content-Type: undefined when it is one the operation consumes, a warning when
 * real engines take it anyway (any type for a JSON body, which the contract gives no `consumes`;
 * any type for an import's bytes), else throws 415 UNSUPPORTED_MEDIA_TYPE.
 */
export function contentTypeVerdict(operation: CompiledOperation, mediaType: string | undefined, binary: boolean): RequestWarning | undefined {
  const consumes = operation.consumes.length > 0 ? operation.consumes : [JSON_MEDIA_TYPE];
  if (mediaType !== undefined && accepts(consumes, mediaType)) return undefined;
  if (!binary || ANY_CONTENT_TYPE_FOR_BYTES.has(operation.id)) return contentTypeWarning(operation, mediaType, consumes);
  throw doubleError('unsupportedMediaType', {
    detail: `${operation.id} consumes ${consumes.join(' or ')}; the request ${mediaType ? `sent ${mediaType}` : 'sent no Content-Type'}`,
    source: { header: 'content-type' },
    meta: { expected: consumes, received: mediaType ?? null },
  });
}

const ENCODED_SEPARATOR = /%2f/i;

/**
 * Clients generated from the contract encode the media `{path}` as one segment (images%2Flogo.png).
 * Real engines read %2F as a separator, so the double does too: the path parameter is rewritten
 * before the media path rules see it, which still refuse everything they refused (an encoded
 * `..%2F` becomes a `..` segment). Returns the raw parameters to use, and a warning when rewritten.
 */
export function decodeMediaPathSeparators(operation: CompiledOperation, rawParams: Record<string, string>): { rawParams: Record<string, string>; warning?: RequestWarning } {
  const raw = rawParams.path;
  if (raw === undefined || !operation.parameters.some((p) => p.in === 'path' && p.name === 'path') || !ENCODED_SEPARATOR.test(raw)) return { rawParams };
  const path = raw.replace(/%2f/gi, '/');
  return {
    rawParams: { ...rawParams, path },
    warning: {
      code: 'ENCODED_SEPARATOR_TOLERATED',
      detail: `the media path ${JSON.stringify(raw)} encodes "/" as %2F; real engines read it as a separator, so the double read ${JSON.stringify(path)}`,
      sent: raw,
      declared: 'a media path whose segments are separated by "/"',
      source: { parameter: 'path' },
    },
  };
}
