/**
 * Bearer tokens as a secured engine reads them (Qlik Core's ValidateJsonWebTokens 0/1/2 become the
 * validation modes off/decode/signed). JWT work is jose's; this module only chooses what to check
 * and turns every failure into one 401 whose body and WWW-Authenticate header name the reason
 * without ever quoting the token.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { jose, type JWTPayload } from './jose';
import { doubleError, type DoubleError } from '../errors';
import { ClaimsProblem, identityFromClaims, type Identity } from './identity';

/**
 * How much of a token is checked:
 * - `off` (ValidateJsonWebTokens=0): the claims are read, nothing is verified (not even exp/nbf).
 * - `decode` (1): unsigned tokens are accepted; a signed one is verified when a key is configured;
 *   exp/nbf are always checked.
 * - `signed` (2): only tokens signed with the configured key are accepted; exp/nbf are checked.
 */
export type JwtValidation = 'off' | 'decode' | 'signed';
/** Every JwtValidation, in Qlik Core's order (0, 1, 2). */
export const JWT_VALIDATIONS: readonly JwtValidation[] = ['off', 'decode', 'signed'];

/** A key that verifies signatures and the algorithms it verifies. */
export interface VerificationKey {
  material: Uint8Array | KeyObject;
  algorithms: readonly string[];
}

/** How one secured scenario checks tokens. */
export interface TokenSettings {
  validation: JwtValidation;
  /** Required with `signed`; without one, `decode` reads signed tokens unverified. */
  key?: VerificationKey;
}

/** What a shared secret signs and verifies. */
export const HMAC_ALGORITHMS: readonly string[] = ['HS256', 'HS384', 'HS512'];
const RSA_ALGORITHMS: readonly string[] = ['RS256', 'RS384', 'RS512'];
/** The one ES algorithm each curve signs with. */
const EC_ALGORITHMS: Readonly<Record<string, string>> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' };

/** A shared secret (JsonWebTokenSecret): verifies HS256, HS384 and HS512. */
export function secretKey(secret: string): VerificationKey {
  if (secret === '') throw new Error('the JWT secret must not be empty');
  return { material: new TextEncoder().encode(secret), algorithms: HMAC_ALGORITHMS };
}

/**
 * A PEM public key (JsonWebTokenPath): RSA verifies RS256/384/512, an EC key the ES algorithm of
 * its curve. Parsed here with node:crypto, as jose's own importSPKI does, but synchronously, so a
 * bad key stops a start or a scenario load instead of failing requests later.
 */
export function publicKey(pem: string): VerificationKey {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new Error('the JWT public key is not a PEM public key (-----BEGIN PUBLIC KEY-----)');
  }
  if (key.asymmetricKeyType === 'rsa') return { material: key, algorithms: RSA_ALGORITHMS };
  const curve = key.asymmetricKeyType === 'ec' ? key.asymmetricKeyDetails?.namedCurve : undefined;
  const algorithm = curve === undefined ? undefined : EC_ALGORITHMS[curve];
  if (algorithm === undefined) {
    throw new Error(`the JWT public key must be RSA or EC on P-256, P-384 or P-521, not ${key.asymmetricKeyType ?? 'unknown'}${curve ? ` on ${curve}` : ''}`);
  }
  return { material: key, algorithms: [algorithm] };
}

/** Why a request was not authenticated; tests and clients may match on `meta.reason`. */
export type AuthFailure = 'missing' | 'scheme' | 'malformed' | 'encoding' | 'unsigned' | 'algorithm' | 'signature' | 'expired' | 'not-yet-valid' | 'claims';

const REALM = 'Bearer realm="qlik-engine-double"';

const FAILURES: Readonly<Record<AuthFailure, { detail: string; header: string }>> = {
  missing: { detail: 'This engine requires authentication: send Authorization: Bearer <JWT>.', header: REALM },
  scheme: { detail: 'The Authorization header must use the Bearer scheme: Authorization: Bearer <JWT>.', header: REALM },
  malformed: { detail: 'The bearer token is not a well-formed JWT (header.payload.signature, each base64url, header and payload JSON objects, "alg" named).', header: 'The token is malformed' },
  encoding: {
    detail: 'The bearer token is not in canonical base64url (RFC 7515): each part uses only A-Z a-z 0-9 - _, without "=" padding or unused bits set.',
    header: 'The token is not canonical base64url',
  },
  unsigned: { detail: 'The bearer token is unsigned (alg "none"), but this engine accepts signed tokens only.', header: 'The token is unsigned' },
  algorithm: { detail: "The bearer token's algorithm is not one this engine's key verifies.", header: 'The token algorithm is not accepted' },
  signature: { detail: "The bearer token's signature does not verify with this engine's key.", header: 'The token signature is invalid' },
  expired: { detail: 'The bearer token has expired (its "exp" claim is not in the future).', header: 'The token has expired' },
  'not-yet-valid': { detail: 'The bearer token is not valid yet (its "nbf" claim is in the future).', header: 'The token is not valid yet' },
  claims: { detail: "The bearer token's claims do not describe a user.", header: 'The token claims are invalid' },
};

/** The 401 for `reason`; `detail` replaces the standard one (it must never quote the token). */
export function unauthorized(reason: AuthFailure, detail?: string): DoubleError {
  const failure = FAILURES[reason];
  const challenge = reason === 'missing' || reason === 'scheme' ? REALM : `${REALM}, error="invalid_token", error_description="${failure.header}"`;
  return doubleError(
    'unauthorized',
    { detail: detail ?? failure.detail, source: { header: 'authorization' }, meta: { reason } },
    { 'WWW-Authenticate': challenge },
  );
}

const BEARER = /^Bearer +(\S+) *$/i;

/**
 * The token of an `Authorization` header value; undefined when there is no header. Another scheme
 * (Basic, say) or an empty token is a 401.
 */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const token = BEARER.exec(authorization)?.[1];
  if (token !== undefined) return token;
  throw /^Bearer\b/i.test(authorization) ? unauthorized('malformed') : unauthorized('scheme');
}

const BASE64URL_ALPHABET = /^[A-Za-z0-9_-]*$/;

/**
 * One encoding per byte string: the base64url alphabet, no padding, and no bits set past the last
 * byte (which decoders ignore, so "…Q" and "…R" would carry the same signature). jose decodes
 * leniently ("=" padding, "+/"), so a rewritten token would otherwise still verify.
 */
function isCanonicalBase64url(segment: string): boolean {
  return BASE64URL_ALPHABET.test(segment) && segment.length % 4 !== 1 && Buffer.from(segment, 'base64url').toString('base64url') === segment;
}

function seconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/** exp/nbf of a token jose did not verify, with jose's own rules (exp <= now expires, nbf > now is early). */
function checkTimes(claims: JWTPayload, now: Date): void {
  for (const name of ['exp', 'nbf'] as const) {
    const value = claims[name];
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
      throw unauthorized('claims', `The bearer token's "${name}" claim must be a number (seconds since 1970).`);
    }
  }
  if (claims.exp !== undefined && claims.exp <= seconds(now)) throw unauthorized('expired');
  if (claims.nbf !== undefined && claims.nbf > seconds(now)) throw unauthorized('not-yet-valid');
}

function decodedClaims(token: string): JWTPayload {
  try {
    return jose().decodeJwt(token);
  } catch {
    throw unauthorized('malformed');
  }
}

async function verifiedClaims(token: string, key: VerificationKey, now: Date): Promise<JWTPayload> {
  try {
    return (await jose().jwtVerify(token, key.material, { algorithms: [...key.algorithms], currentDate: now })).payload;
  } catch (error) {
    throw unauthorized(...failureOf(error, key));
  }
}

/** jose's error as a reason; anything unforeseen is a malformed token, never a 500. */
function failureOf(error: unknown, key: VerificationKey): [AuthFailure, string?] {
  if (error instanceof jose().errors.JWTExpired) return ['expired'];
  if (error instanceof jose().errors.JWTClaimValidationFailed) {
    return error.claim === 'nbf' && error.reason === 'check_failed'
      ? ['not-yet-valid']
      : ['claims', `The bearer token's "${error.claim}" claim is invalid.`];
  }
  if (error instanceof jose().errors.JWSSignatureVerificationFailed) return ['signature'];
  if (error instanceof jose().errors.JOSEAlgNotAllowed) {
    return ['algorithm', `The bearer token's algorithm is not one this engine's key verifies (accepted: ${key.algorithms.join(', ')}).`];
  }
  return ['malformed'];
}

/**
 * The identity a bearer token carries, checked as `settings` say (see JwtValidation). Throws the
 * 401 DoubleError of the first failure: malformed, unsigned where signatures are required, wrong
 * algorithm or signature, expired, not yet valid, or claims without a usable `sub`.
 */
export async function identityFromToken(token: string, settings: TokenSettings, now: Date = new Date()): Promise<Identity> {
  const parts = token.split('.');
  if (parts.length !== 3) throw unauthorized('malformed');
  let alg: unknown;
  try {
    alg = jose().decodeProtectedHeader(token).alg;
  } catch {
    throw unauthorized('malformed');
  }
  if (typeof alg !== 'string' || alg === '') throw unauthorized('malformed');

  // Read first in every mode, so a broken payload is reported as malformed, not as a bad signature.
  let claims = decodedClaims(token);
  // Decodable, but only one spelling of each part is accepted (a token that does not decode at all is malformed).
  if (!parts.every(isCanonicalBase64url)) throw unauthorized('encoding');
  if (alg === 'none') {
    if (settings.validation === 'signed') throw unauthorized('unsigned');
    if (parts[2] !== '') throw unauthorized('malformed');
    if (settings.validation === 'decode') checkTimes(claims, now);
  } else if (settings.validation !== 'off' && settings.key !== undefined) {
    claims = await verifiedClaims(token, settings.key, now);
  } else if (settings.validation === 'signed') {
    throw new Error('signed JWT validation needs a key'); // compileSecurity refuses such a policy
  } else if (settings.validation === 'decode') {
    checkTimes(claims, now);
  }

  try {
    return identityFromClaims(claims);
  } catch (error) {
    if (error instanceof ClaimsProblem) throw unauthorized('claims', `The bearer token's claims do not describe a user: ${error.message}.`);
    throw error;
  }
}
