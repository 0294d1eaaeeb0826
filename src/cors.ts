/**
 * CORS, so browser code (a mashup, a nebula.js app, a dev server on another port) can call the
 * double: preflights (OPTIONS with Access-Control-Request-Method) are answered 204 before the
 * pipeline, on the engine and control APIs alike, and every answer to a request with an Origin
 * carries the CORS headers. By
 * default any origin is allowed, credentials included (the request's Origin is echoed, with
 * Vary: Origin): a test double has nothing to protect from a page. `--cors-origin` restricts it to
 * a list; `--no-cors` turns it off (OPTIONS then gets the contract's 405, as before). The
 * protocol itself is the `cors` package's.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** true (default): any origin; false: no CORS; a list: only these origins (exact, e.g. "http://localhost:5173"). */
export type CorsOption = boolean | string[];

/** How long a browser may cache a preflight's answer, in seconds. */
export const CORS_MAX_AGE_S = 600;

/** Headers a page may read from answers (besides the CORS-safelisted ones). */
const EXPOSED_HEADERS = ['WWW-Authenticate', 'Retry-After', 'Content-Disposition', 'Location'];

/** Runs before the pipeline: 'answered' when it answered a preflight itself. */
export type CorsStage = (req: IncomingMessage, res: ServerResponse) => 'answered' | 'continue';

/** Why an origin given to --cors-origin is not one, or undefined. */
export function corsOriginProblem(origin: string): string | undefined {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return `${JSON.stringify(origin)} is not an origin (scheme://host[:port])`;
  }
  if (url.origin !== origin) return `${JSON.stringify(origin)} is not an origin: write it as ${url.origin} (no path, no trailing slash)`;
  return undefined;
}

/** The CORS stage for an option, or undefined when CORS is off. */
export function corsStage(option: CorsOption = true): CorsStage | undefined {
  if (option === false) return undefined;
  if (Array.isArray(option)) {
    const problems = option.map(corsOriginProblem).filter((p): p is string => p !== undefined);
    if (problems.length > 0) throw new Error(`cors: ${problems.join('; ')}`);
  }
  // Required here: only a double with CORS on loads it.
  const cors = require('cors') as typeof import('cors');
  const middleware = cors({ origin: option === true ? true : option, credentials: true, maxAge: CORS_MAX_AGE_S, exposedHeaders: EXPOSED_HEADERS });
  return (req, res) => {
    // Only browsers' requests carry an Origin; others (curl, a test's fetch in node, a proxied client) get their answers untouched.
    if (req.headers.origin === undefined) return 'continue';
    let passed = false;
    // The middleware is synchronous for a static origin option: it either ends a preflight or calls next at once.
    middleware(req as Parameters<typeof middleware>[0], res as Parameters<typeof middleware>[1], () => (passed = true));
    return passed ? 'continue' : 'answered';
  };
}
