/**
 * The engine's BasePathPrefix: every engine operation served under a path prefix ("/api"), as
 * behind an ingress. One place strips it, so every door (the REST pipeline, the QIX websocket's
 * upgrade, the metrics port) reads paths the same way.
 */
import { DoubleError, doubleError } from './errors';

const CONTROL_PREFIX = '/__control';
/** Segments a prefix may hold: what ingress paths use, nothing that needs escaping. */
const PREFIX = /^(\/[A-Za-z0-9._~-]+)+$/;

/**
 * The prefix as the double keeps it: "" for none, else "/a/b" (a trailing slash is dropped).
 * Throws an Error that says what is wrong with any other value.
 */
export function normaliseBasePath(value: string | undefined): string {
  if (value === undefined || value === '' || value === '/') return '';
  const trimmed = value.replace(/\/+$/, '');
  if (!PREFIX.test(trimmed)) {
    throw new Error(`base path ${JSON.stringify(value)} must look like /api or /engine/v2: "/" then letters, digits, ".", "_", "~" or "-" per segment`);
  }
  if (trimmed === CONTROL_PREFIX || trimmed.startsWith(`${CONTROL_PREFIX}/`)) throw new Error(`base path ${JSON.stringify(value)} would hide the control API at ${CONTROL_PREFIX}`);
  return trimmed;
}

/** `pathname` without the prefix ("/api/v1/apps" → "/v1/apps"), or undefined when it is not under it. */
export function stripBasePath(basePath: string, pathname: string): string | undefined {
  if (basePath === '') return pathname;
  if (pathname === basePath) return '/';
  if (pathname.startsWith(`${basePath}/`)) return pathname.slice(basePath.length);
  return undefined;
}

/** Whether a path is the control API's (`/__control` or under it). */
export function isControlPath(pathname: string): boolean {
  return pathname === CONTROL_PREFIX || pathname.startsWith(`${CONTROL_PREFIX}/`);
}

/**
 * The path the contract's router reads: the prefix stripped. The control API answers both with and
 * without the prefix; an engine path sent without it is a 404 that names the prefix.
 */
function routedPath(basePath: string, method: string, pathname: string): string {
  const stripped = stripBasePath(basePath, pathname);
  if (stripped !== undefined) return stripped;
  if (isControlPath(pathname)) return pathname;
  throw doubleError('routeNotFound', {
    detail: `no operation matches ${method} ${pathname}: this double serves the engine under the base path ${basePath}; did you mean ${method} ${basePath}${pathname}?`,
    meta: { basePath, suggestion: `${method} ${basePath}${pathname}` },
  });
}

/**
 * `match` on the routed path; under a base path a 404 names the path as sent and suggests the
 * nearest operation with the prefix, so the hint can be pasted as it is.
 */
export function matchUnderBasePath<T>(basePath: string, method: string, sentPath: string, match: (method: string, pathname: string) => T): T {
  const pathname = routedPath(basePath, method, sentPath);
  try {
    return match(method, pathname);
  } catch (error) {
    if (basePath === '' || !(error instanceof DoubleError) || error.status !== 404) throw error;
    const nearest = error.entries[0]?.meta?.suggestion;
    const suggestion = typeof nearest === 'string' ? nearest.replace(' ', ` ${basePath}`) : undefined;
    throw doubleError('routeNotFound', {
      detail: `no operation matches ${method} ${sentPath} (the engine is served under the base path ${basePath})${suggestion ? `; did you mean ${suggestion}?` : ''}`,
      meta: { basePath, ...(suggestion ? { suggestion } : {}) },
    });
  }
}
