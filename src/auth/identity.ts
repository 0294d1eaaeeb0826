/**
 * Who is calling: the identity a secured engine reads from a bearer token's claims, or the
 * anonymous identity of a caller without one. Pure: claims in, identity or refusal out.
 */

/** A caller as the access rules see it. */
export interface Identity {
  /** False for the anonymous identity (no token, or an unsecured scenario). */
  authenticated: boolean;
  /** The token's `sub` claim; owner of the apps this caller creates, copies or imports. */
  sub: string;
  /** The token's `groups` claim (empty without one). */
  groups: readonly string[];
  /** Qlik Cloud claims, kept when given. */
  name?: string;
  subType?: string;
  /** The token's `tenantId` claim; `/sessions` reports it as `tenantid`. */
  tenantId?: string;
}

/** The caller without a token; `sub` is the owner an unsecured engine gives new apps (a real one answers `Personal\Me`). */
export const ANONYMOUS_IDENTITY: Identity = Object.freeze({ authenticated: false, sub: 'Personal\\Me', groups: Object.freeze([]) });

/** Longest `sub`, group, name, subType or tenantId accepted: an id, not a payload. */
export const MAX_CLAIM_LENGTH = 1000;
/** Most groups one token may carry. */
export const MAX_GROUPS = 1000;

/** Why a token's claims do not make an identity; the message never quotes a claim's value. */
export class ClaimsProblem extends Error {}

function optionalString(claims: Record<string, unknown>, name: string): string | undefined {
  const value = claims[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > MAX_CLAIM_LENGTH) {
    throw new ClaimsProblem(`the "${name}" claim must be a string of at most ${MAX_CLAIM_LENGTH} characters`);
  }
  return value;
}

function groupsOf(claims: Record<string, unknown>): string[] {
  const value = claims.groups;
  if (value === undefined) return [];
  const valid =
    Array.isArray(value) &&
    value.length <= MAX_GROUPS &&
    value.every((group) => typeof group === 'string' && group !== '' && group.length <= MAX_CLAIM_LENGTH);
  if (!valid) throw new ClaimsProblem(`the "groups" claim must be an array of at most ${MAX_GROUPS} non-empty strings`);
  return [...new Set(value as string[])];
}

/**
 * The identity a token's claims describe: `sub` (mandatory, not empty), `groups`, `name`, `subType`,
 * `tenantId`. Every other claim is ignored. Throws ClaimsProblem for a missing `sub` or a claim of
 * the wrong type.
 */
export function identityFromClaims(claims: Record<string, unknown>): Identity {
  const sub = optionalString(claims, 'sub');
  if (sub === undefined || sub === '') throw new ClaimsProblem('the token has no "sub" claim; a secured engine needs one to know the user');
  const name = optionalString(claims, 'name');
  const subType = optionalString(claims, 'subType');
  const tenantId = optionalString(claims, 'tenantId');
  return {
    authenticated: true,
    sub,
    groups: groupsOf(claims),
    ...(name !== undefined ? { name } : {}),
    ...(subType !== undefined ? { subType } : {}),
    ...(tenantId !== undefined ? { tenantId } : {}),
  };
}
