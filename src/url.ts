/**
 * Base URLs the double appends request paths to (a double for the client and `check`, an engine
 * for `--proxy`): checked in one place, each refusal an Error that says what is wrong.
 */

/** `value` with any user:password@ after the scheme hidden, even where it is no valid URL: refusals are printed and logged. */
function hideCredentials(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1***@');
}

/** Parses `value` as an http(s) URL with no query or fragment; `what` names it in the messages. */
export function parseBaseUrl(value: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${JSON.stringify(hideCredentials(value))} is not a URL; ${what} looks like http://localhost:9076`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`expected an http:// or https:// URL, not ${url.protocol}`);
  if (url.search !== '' || url.hash !== '') throw new Error(`${what} takes no query or fragment: request paths are appended to it`);
  return url;
}

/** The URL as text without a trailing slash; a path prefix (behind a reverse proxy) is kept. */
export function baseUrlText(url: URL): string {
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}
