/**
 * Test tokens for a secured double (the `token` command): HMAC-signed with a secret, or unsigned
 * (alg "none") for engines that only decode. Made with jose; never for production identities.
 */
import { jose, type JWTPayload } from './jose';
import { HMAC_ALGORITHMS } from './tokens';

export interface TokenClaims {
  sub: string;
  groups?: string[];
  name?: string;
  subType?: string;
  tenantId?: string;
}

export interface MintOptions {
  /** Signs with HS256 (or `algorithm`); without one the token is unsigned. */
  secret?: string;
  /** HS256 (default), HS384 or HS512. */
  algorithm?: string;
  /** A time span from now, as jose reads it: "30s", "15m", "1h", "7d", "-1h" (already expired). No exp without one. */
  expiresIn?: string;
}

/** One compact JWT carrying `claims`, with `iat` now. Throws for an empty sub, an unknown algorithm or a bad time span. */
export async function mintToken(claims: TokenClaims, options: MintOptions = {}): Promise<string> {
  if (claims.sub === '') throw new Error('sub must not be empty');
  const algorithm = options.algorithm ?? 'HS256';
  if (!HMAC_ALGORITHMS.includes(algorithm)) throw new Error(`algorithm must be one of ${HMAC_ALGORITHMS.join(', ')}, not ${algorithm}`);
  if (options.secret === '') throw new Error('the secret must not be empty');
  const payload: JWTPayload = Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
  const { SignJWT, UnsecuredJWT } = jose();
  const token = options.secret === undefined ? new UnsecuredJWT(payload) : new SignJWT(payload).setProtectedHeader({ alg: algorithm, typ: 'JWT' });
  token.setIssuedAt();
  if (options.expiresIn !== undefined) {
    try {
      token.setExpirationTime(options.expiresIn);
    } catch {
      throw new Error(`expires-in must be a time span such as 30s, 15m, 1h or 7d, not ${JSON.stringify(options.expiresIn)}`);
    }
  }
  return token instanceof SignJWT ? token.sign(new TextEncoder().encode(options.secret)) : token.encode();
}
