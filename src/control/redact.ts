/**
 * The one place that hides secrets in what the double stores or prints about a request (the
 * journal's paths, headers, query and bodies, log lines): clients put tokens in query strings
 * (`?access_token=`, `?qlikTicket=`), headers (`Authorization`) and JSON bodies, and a journal
 * anyone can read at /__control/journal (or the dashboard, or a failure message in CI logs) must
 * not replay them. Values are replaced, names kept, so matchers can still test that a secret was
 * sent (or not: `{"absent": true}`); everything else is kept as sent.
 */
import { detachedPrefix } from '../errors';

/** What a redacted value reads as. */
export const REDACTED = '[REDACTED]';

/**
 * Query parameter names that carry secrets, compared without case, `-` or `_`
 * ("Access-Token" matches access_token); names containing token, secret or password match too.
 */
const SECRET_PARAMETERS: ReadonlySet<string> = new Set(
  ['access_token', 'id_token', 'refresh_token', 'token', 'jwt', 'bearer', 'qlikTicket', 'ticket', 'password', 'passwd', 'pwd', 'secret', 'client_secret', 'api_key', 'apikey', 'key', 'auth', 'authorization', 'signature', 'sig', 'credentials', 'session_token'].map(
    normalisedName,
  ),
);
const SECRET_PARTS = /token|secret|passw|apikey|credential|ticket/;

/**
 * Headers whose values are secrets (besides those whose names read like a secret parameter's,
 * e.g. X-Auth-Token); the scheme of an Authorization value ("Bearer") is kept.
 */
const SECRET_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-qlik-session', 'x-api-key']);

function normalisedName(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

function decodedName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

function isSecretHeader(name: string): boolean {
  return SECRET_HEADERS.has(name.toLowerCase()) || isSecretParameter(name);
}

/** Whether a query parameter (or JSON key) of this (decoded) name carries a secret. */
export function isSecretParameter(name: string): boolean {
  const normalised = normalisedName(name);
  return SECRET_PARAMETERS.has(normalised) || SECRET_PARTS.test(normalised);
}

/**
 * A request target (`/path?query`, or an absolute URL) with the value of every secret-bearing
 * query parameter, and any user:password, replaced by REDACTED; other bytes stay as sent.
 */
export function redactUrl(url: string): string {
  // The common case: a path without a query has nothing to hide (user info needs a scheme, which a path has not).
  if (url.startsWith('/') && !url.includes('?')) return url;
  const withoutUserInfo = url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@?#]*@/i, `$1${REDACTED}@`);
  const mark = withoutUserInfo.indexOf('?');
  if (mark === -1) return withoutUserInfo;
  const hash = withoutUserInfo.indexOf('#', mark);
  const end = hash === -1 ? withoutUserInfo.length : hash;
  const query = withoutUserInfo
    .slice(mark + 1, end)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const rawName = equals === -1 ? pair : pair.slice(0, equals);
      return equals !== -1 && isSecretParameter(decodedName(rawName)) ? `${rawName}=${REDACTED}` : pair;
    })
    .join('&');
  return `${withoutUserInfo.slice(0, mark + 1)}${query}${withoutUserInfo.slice(end)}`;
}

/** One header value with its secret hidden: `Bearer eyJ…` → `Bearer [REDACTED]`. */
function redactHeaderValue(name: string, value: string): string {
  if (!isSecretHeader(name)) return value;
  const scheme = name.toLowerCase().endsWith('authorization') ? /^([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*) +\S/.exec(value)?.[1] : undefined;
  return scheme === undefined ? REDACTED : `${scheme} ${REDACTED}`;
}

/** Headers as the journal keeps them: lower-case names, one string each, secrets hidden. */
export function journalHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    kept[name.toLowerCase()] = redactHeaderValue(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return kept;
}

/** Parsed query parameters with every secret-bearing one's value hidden. */
export function redactQuery(query: Readonly<Record<string, string | string[]>>): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(query).map(([name, value]) => [name, isSecretParameter(name) ? REDACTED : value]));
}

/** A JSON value with every secret-named key's value hidden, at any depth. A copy: the request's own body is untouched. */
export function redactJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactJson);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, isSecretParameter(key) ? REDACTED : redactJson(inner)]));
}

/**
 * The head of `JSON.stringify(redactJson(value))` for a parsed JSON value: at most `limit`
 * characters, written only that far. Showing the head of a 20 MB body then costs the head, not
 * 20 MB of copying and serialising on the request path. `truncated` says whether there was more.
 */
export function redactedJsonHead(value: unknown, limit: number): { text: string; truncated: boolean } {
  const parts: string[] = [];
  let length = 0;
  let cut = false;
  const put = (text: string) => {
    parts.push(text);
    length += text.length;
  };
  const write = (inner: unknown): void => {
    if (inner === null || typeof inner !== 'object') {
      put(JSON.stringify(inner));
      return;
    }
    const array = Array.isArray(inner);
    put(array ? '[' : '{');
    let first = true;
    for (const [key, item] of array ? inner.entries() : Object.entries(inner)) {
      if (length >= limit) {
        cut = true;
        return;
      }
      put(first ? '' : ',');
      first = false;
      if (array) write(item);
      else {
        put(`${JSON.stringify(key)}:`);
        write(isSecretParameter(String(key)) ? REDACTED : item);
      }
    }
    put(array ? ']' : '}');
  };
  write(value);
  const text = parts.join('');
  // A copy of the head, not a slice: a slice would keep a huge last string alive.
  return text.length > limit ? { text: detachedPrefix(text, limit), truncated: true } : { text, truncated: cut };
}
