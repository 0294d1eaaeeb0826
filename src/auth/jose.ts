/**
 * jose, loaded on first use: it takes ~130 ms to require, and only secured scenarios that receive
 * a token (or the `token` command) need it, so a plain double never pays for it.
 */
import type * as Jose from 'jose';

export type { JWTPayload } from 'jose';

export function jose(): typeof Jose {
  return require('jose') as typeof Jose;
}
