/** Content types of media files, chosen by extension as a static file server would (mime-types, the table Express serves with). */
import type { lookup } from 'mime-types';

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

let lookupType: typeof lookup | undefined;

/** The content type for a file name; extensions match case-insensitively; a name with no extension (".png" included) or an unknown one is bytes. */
export function contentTypeFor(fileName: string): string {
  if (fileName.lastIndexOf('.') <= 0) return DEFAULT_CONTENT_TYPE;
  // Required on the first media read, not at start: mime-db's table is ~200 kB of JSON.
  lookupType ??= (require('mime-types') as typeof import('mime-types')).lookup;
  return lookupType(fileName) || DEFAULT_CONTENT_TYPE;
}
