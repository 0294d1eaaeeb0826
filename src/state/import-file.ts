/**
 * What POST /v1/apps/import was given. The double cannot read a real .qvf; it reads an app
 * document in the scenario format (JSON) and treats any other bytes as an opaque app file.
 */
import { checkJsonTextDepth } from '../validation/json-limits';
import { isJsonObject, type JsonObject } from './scenario-apps';

export type ImportedFile = { kind: 'appDocument'; document: JsonObject } | { kind: 'opaque' };

/** JSON text starts with '{' after optional whitespace; checking that first spares parsing a big .qvf. */
const STARTS_LIKE_JSON_OBJECT = /^[\s\uFEFF]*\{/;

/** Throws 400 JSON_TOO_DEEP for a JSON document nested deeper than MAX_JSON_DEPTH. */
export function readImportedFile(bytes: Buffer): ImportedFile {
  const head = bytes.subarray(0, 1024).toString('utf8');
  if (!STARTS_LIKE_JSON_OBJECT.test(head)) return { kind: 'opaque' };
  checkJsonTextDepth(bytes);
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, ''));
  } catch {
    return { kind: 'opaque' };
  }
  return isJsonObject(parsed) && isJsonObject(parsed.attributes) ? { kind: 'appDocument', document: parsed } : { kind: 'opaque' };
}
