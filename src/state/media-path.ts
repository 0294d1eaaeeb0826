/**
 * The one place media paths are checked. Every path a client or a scenario names goes through
 * here before it reaches a media tree, and what comes out is a list of plain names that can only
 * address something inside the app's own tree: no '.', no '..', no separators, no NULs.
 */
import { doubleError, type DoubleError } from '../errors';
import { DEFAULT_MEDIA_LIMITS, type MediaLimits } from './options';

export type MediaPathLimits = Pick<MediaLimits, 'maxMediaPathLength' | 'maxMediaPathDepth'>;

/** "C:", "c:x": a Windows drive, absolute or drive-relative. */
const DRIVE_LETTER = /^[A-Za-z]:/;
/** NUL and the other C0 controls plus DEL: they end C strings or break the one-path-per-line listing. */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

function refuse(path: string, why: string): DoubleError {
  return doubleError('invalidMediaPath', {
    detail: `The media path ${JSON.stringify(path)} is not allowed: ${why}.`,
    source: { parameter: 'path' },
  });
}

function decodeSegment(raw: string, segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw refuse(raw, `the segment ${JSON.stringify(segment)} has a malformed percent-escape (or one that is not UTF-8)`);
  }
}

/**
 * Checks decoded segments. A single trailing '/' ("images/") is accepted and dropped, as folder
 * URLs are often written that way; every other empty segment is refused.
 */
function checkSegments(shown: string, segments: string[], limits: MediaPathLimits): string[] {
  if (segments[0] === '') throw refuse(shown, 'it is absolute (starts with "/"); media paths are relative to the media root');
  const names = segments.length > 1 && segments[segments.length - 1] === '' ? segments.slice(0, -1) : segments;
  for (const name of names) {
    if (name === '') throw refuse(shown, 'it has an empty segment ("//")');
    if (name === '.' || name === '..') throw refuse(shown, `it has a ${JSON.stringify(name)} segment`);
    if (name.includes('/')) throw refuse(shown, 'a segment encodes a "/" separator (%2F)');
    if (name.includes('\\')) throw refuse(shown, 'it has a backslash');
    if (CONTROL_CHARACTER.test(name)) throw refuse(shown, 'it has a NUL or another control character');
  }
  if (DRIVE_LETTER.test(names[0] ?? '')) throw refuse(shown, 'it starts with a drive letter');
  if (names.length > limits.maxMediaPathDepth) {
    throw refuse(shown, `it is ${names.length} segments deep; the limit is ${limits.maxMediaPathDepth}`);
  }
  const length = names.join('/').length;
  if (length > limits.maxMediaPathLength) {
    throw refuse(shown, `it is ${length} characters long; the limit is ${limits.maxMediaPathLength}`);
  }
  return names;
}

/**
 * Turns a media path as it arrived in the URL (still percent-encoded, '/' separating segments)
 * into its segments. Each segment is decoded on its own, so an encoded separator (%2F, %5C) stays
 * inside one segment where it is then refused. The empty string is the media root: [].
 * Throws doubleError('invalidMediaPath') (400) for anything that could leave the tree.
 */
export function normaliseMediaPath(raw: string, limits: MediaPathLimits = DEFAULT_MEDIA_LIMITS): string[] {
  if (raw === '') return [];
  // Checked before decoding too, so the detail names the raw form the client sent.
  if (raw.includes('\\')) throw refuse(raw, 'it has a backslash');
  if (raw.includes('\u0000')) throw refuse(raw, 'it has a NUL byte');
  return checkSegments(raw, raw.split('/').map((segment) => decodeSegment(raw, segment)), limits);
}

/**
 * The same checks for a path that is already decoded, as the keys of a scenario's `media` map
 * are ("images/100%.png" names a file called "100%.png").
 */
export function splitMediaPath(decoded: string, limits: MediaPathLimits = DEFAULT_MEDIA_LIMITS): string[] {
  if (decoded === '') return [];
  return checkSegments(decoded, decoded.split('/'), limits);
}

/** The URL prefixes a thumbnail attribute may carry in front of its media path. */
const THUMBNAIL_URL_PREFIX = /^(?:(?:\/api)?\/v1\/apps\/[^/]+\/media\/files\/|\/?media\/files\/)/;

/**
 * The raw (percent-encoded) media path an app's `thumbnail` attribute points at, or undefined
 * when it names none. Accepted forms: "thumbs/a.png", "media/files/thumbs/a.png" and
 * "/api/v1/apps/{anyId}/media/files/thumbs/a.png" (also without "/api"). The app id in the URL
 * form is not checked: a copied app keeps its source's thumbnail URL and holds a copy of the file.
 */
export function thumbnailMediaPath(thumbnail: string | undefined): string | undefined {
  if (!thumbnail) return undefined;
  const path = thumbnail.replace(THUMBNAIL_URL_PREFIX, '');
  return path === '' ? undefined : path;
}
