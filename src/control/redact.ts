/**
 * The one place that hides secrets in what the double stores or prints about a request (the
 * journal, log lines): clients put tokens in query strings (`?access_token=`, `?qlikTicket=`) and
 * headers (`Authorization`), and a journal anyone can read at /__control/journal must not replay
 * them. Everything else is kept as sent, so the entry still shows what the client did.
 */

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

/** Headers whose values are secrets; the scheme of an Authorization value ("Bearer") is kept. */
const SECRET_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

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

/** Whether a query parameter of this (decoded) name carries a secret. */
export function isSecretParameter(name: string): boolean {
  const normalised = normalisedName(name);
  return SECRET_PARAMETERS.has(normalised) || SECRET_PARTS.test(normalised);
}

/**
 * A request target (`/path?query`, or an absolute URL) with the value of every secret-bearing
 * query parameter, and any user:password, replaced by REDACTED; other bytes stay as sent.
 */
export function redactUrl(url: string): string {
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
export function redactHeaderValue(name: string, value: string): string {
  if (!SECRET_HEADERS.has(name.toLowerCase())) return value;
  const scheme = name.toLowerCase().endsWith('authorization') ? /^([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*) +\S/.exec(value)?.[1] : undefined;
  return scheme === undefined ? REDACTED : `${scheme} ${REDACTED}`;
}

/** A copy of request or response headers with every secret value hidden (see redactHeaderValue). */
export function redactHeaders<T extends string | string[] | number | undefined>(headers: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      typeof value === 'string' ? redactHeaderValue(name, value) : Array.isArray(value) ? value.map((item) => redactHeaderValue(name, item)) : value,
    ]),
  ) as Record<string, T>;
}
