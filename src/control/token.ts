/**
 * The optional control token (--control-token T, CONTROL_TOKEN): with one set, every control call
 * must send `Authorization: Bearer T` or gets a 401; engine calls never need it. Tokens are
 * compared as SHA-256 digests with timingSafeEqual, so the time taken says nothing about how
 * much of a guess was right.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { DoubleError, doubleError } from '../errors';
import { bearerToken } from '../auth/tokens';

/** Longest control token accepted at start. */
export const MAX_CONTROL_TOKEN_LENGTH = 1024;
/** Visible ASCII only: what an Authorization header carries unmangled. */
const TOKEN_CHARACTERS = /^[\x21-\x7e]+$/;

const CHALLENGE = 'Bearer realm="qlik-engine-double control"';

type Failure = 'missing' | 'scheme' | 'mismatch';

const DETAILS: Readonly<Record<Failure, string>> = {
  missing: 'the double runs with a control token: send Authorization: Bearer <token> with every /__control call',
  scheme: 'the Authorization header must be "Bearer <token>" for /__control calls',
  mismatch: 'the bearer token is not the control token of this double',
};

function refuse(failure: Failure): DoubleError {
  const challenge = failure === 'mismatch' ? `${CHALLENGE}, error="invalid_token"` : CHALLENGE;
  return doubleError('unauthorized', { detail: DETAILS[failure], source: { header: 'authorization' }, meta: { reason: `control-token-${failure}` } }, { 'WWW-Authenticate': challenge });
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** The token a header carries; another scheme or an empty token refuses as the control API's own 401. */
function presentedToken(authorization: string | undefined): string | undefined {
  try {
    return bearerToken(authorization);
  } catch (error) {
    if (error instanceof DoubleError) throw refuse('scheme');
    throw error;
  }
}

/**
 * A check for control calls: throws the 401 unless `authorization` is `Bearer <token>`. Throws a
 * plain Error at start for a token no header could carry (empty, too long, spaces, non-ASCII).
 */
export function controlTokenCheck(token: string): (authorization: string | undefined) => void {
  if (token.length > MAX_CONTROL_TOKEN_LENGTH || !TOKEN_CHARACTERS.test(token)) {
    throw new Error(`the control token must be 1 to ${MAX_CONTROL_TOKEN_LENGTH} visible ASCII characters without spaces`);
  }
  const expected = digest(token);
  return (authorization) => {
    const presented = presentedToken(authorization);
    if (presented === undefined) throw refuse('missing');
    if (!timingSafeEqual(digest(presented), expected)) throw refuse('mismatch');
  };
}
