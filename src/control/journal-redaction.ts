/**
 * Secrets out of what the journal keeps of a request (headers, query parameters, JSON bodies), so
 * a journal read (the dashboard, a failure message in CI logs) never shows a token or password.
 * Values are replaced, names kept, so matchers can still test that a secret was sent (or not:
 * `{"absent": true}`); an Authorization header keeps its scheme ("Bearer [redacted]").
 *
 * Issue 12 brings a redaction helper for the journal too (src/control/redact.ts): the two should
 * become one module, this one's name rules moving there.
 */

/** What a redacted value reads as. */
export const REDACTED = '[redacted]';

/** Headers that carry credentials. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-qlik-session', 'x-api-key']);

/** Query parameter and JSON key names that carry credentials (ticket: Qlik's qlikTicket; xrfkey is not secret). */
const SECRET_NAME = /(pass(word|wd)?|secret|token|ticket|api[-_]?key|credential|signature|^auth$|authorization)/i;

/** "Bearer [redacted]" for authorization headers (the scheme says which kind of credential was sent), else "[redacted]". */
function redactedCredential(name: string, value: string): string {
  const scheme = /^(\w+) /.exec(value)?.[1];
  return name.endsWith('authorization') && scheme ? `${scheme} ${REDACTED}` : REDACTED;
}

/** Headers as the journal keeps them: lower-case names, one string each, credentials redacted. */
export function redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    const text = Array.isArray(value) ? value.join(', ') : value;
    kept[lower] = SECRET_HEADERS.has(lower) || SECRET_NAME.test(lower) ? redactedCredential(lower, text) : text;
  }
  return kept;
}

/** Query parameters with credential-like names redacted. */
export function redactQuery(query: Record<string, string | string[]>): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(query).map(([name, value]) => [name, SECRET_NAME.test(name) ? REDACTED : value]));
}

/** A JSON value with every credential-like key's value redacted, at any depth. A copy: the request's own body is untouched. */
export function redactJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactJson);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, SECRET_NAME.test(key) ? REDACTED : redactJson(inner)]));
}
