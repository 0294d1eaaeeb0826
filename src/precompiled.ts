/**
 * Build artefacts: work `npm run build` does once so that no start-up repeats it (validators
 * compiled to code, shipped scenario files parsed to JSON). Each lives in dist/precompiled under
 * a name made from a hash of what it was made from: looking one up by its source can only find an
 * artefact of that very source, so an edited schema or scenario file simply misses and is compiled
 * or parsed as it would be without artefacts.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';

/** dist/precompiled for the built package; under jest (src/) a folder that does not exist, so everything is compiled and parsed. */
export const PRECOMPILED_DIR = path.join(__dirname, '..', 'precompiled');

export type ArtefactKind = 'validator' | 'scenario';

export function artefactPath(kind: ArtefactKind, source: string, extension: 'js' | 'json'): string {
  return path.join(PRECOMPILED_DIR, `${kind}-${createHash('sha256').update(source).digest('hex').slice(0, 32)}.${extension}`);
}
