/**
 * Limits on the shape of JSON the double takes in, checked before anything parses deeply, validates
 * or stores it: a body nested thousands of levels deep would otherwise pass JSON.parse and then
 * overflow the stack of every recursive step after it (validation, copying, sending), leaving a
 * stored app that no read can answer. docs/security.md lists these limits.
 */
import { doubleError, type DoubleError } from '../errors';
import { escapePointer } from './problems';

/** Deepest nesting of arrays and objects a JSON body or document may have: `{"a":[1]}` is 2 deep. */
export const MAX_JSON_DEPTH = 64;

const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;

function tooDeep(pointer: string): DoubleError {
  return doubleError('jsonTooDeep', {
    detail: `the JSON is nested more than ${MAX_JSON_DEPTH} levels deep at ${pointer || '/'}`,
    source: { pointer: pointer || '/' },
    meta: { rule: 'maxDepth', limit: MAX_JSON_DEPTH },
  });
}

/** One open array or object of the scan: which item of it the scan is in. */
interface Level {
  array: boolean;
  index: number;
  /** Byte range of the current member's key (objects), decoded only for an error's pointer. */
  keyStart: number;
  keyEnd: number;
  expectKey: boolean;
}

function pointerOfLevels(text: Buffer, levels: readonly Level[]): string {
  return levels
    .map((level) => {
      if (level.array) return `/${level.index}`;
      let key = '';
      try {
        key = JSON.parse(text.subarray(level.keyStart, level.keyEnd).toString('utf8')) as string;
      } catch {
        // An unterminated key: the pointer names an empty one, JSON.parse will report the syntax.
      }
      return `/${escapePointer(key)}`;
    })
    .join('');
}

/** The pointer where `text` first nests deeper than MAX_JSON_DEPTH; tracks keys and indexes, so only run once a passing depth is known. */
function tooDeepTextPointer(text: Buffer): string {
  const levels: Level[] = [];
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const byte = text[i];
    if (inString) {
      if (byte === BACKSLASH) i += 1;
      else if (byte === QUOTE) {
        inString = false;
        const level = levels[levels.length - 1];
        if (level && !level.array && level.expectKey) {
          level.keyEnd = i + 1;
          level.expectKey = false;
        }
      }
      continue;
    }
    switch (byte) {
      case QUOTE: {
        inString = true;
        const level = levels[levels.length - 1];
        if (level && !level.array && level.expectKey) level.keyStart = i;
        break;
      }
      case OPEN_OBJECT:
      case OPEN_ARRAY:
        if (levels.length === MAX_JSON_DEPTH) return pointerOfLevels(text, levels);
        levels.push({ array: byte === OPEN_ARRAY, index: 0, keyStart: i, keyEnd: i, expectKey: byte === OPEN_OBJECT });
        break;
      case CLOSE_OBJECT:
      case CLOSE_ARRAY:
        levels.pop();
        break;
      case COMMA: {
        const level = levels[levels.length - 1];
        if (level?.array) level.index += 1;
        else if (level) level.expectKey = true;
        break;
      }
      default:
    }
  }
  return '';
}

/**
 * Throws 400 JSON_TOO_DEEP, with the pointer where the limit is passed, when the JSON text nests
 * deeper than MAX_JSON_DEPTH. One linear pass over the bytes that only counts, before JSON.parse
 * (which would spend seconds building a value ten million levels deep); syntax errors are left to
 * JSON.parse.
 */
export function checkJsonTextDepth(text: Buffer): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const byte = text[i];
    if (inString) {
      if (byte === BACKSLASH) i += 1;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      depth += 1;
      if (depth > MAX_JSON_DEPTH) throw tooDeep(tooDeepTextPointer(text));
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) depth -= 1;
  }
}

/**
 * The same limit on a value already parsed (a YAML scenario file, a document handed to the API):
 * the pointer of the first place nested deeper than MAX_JSON_DEPTH, or undefined. Iterative, so the
 * check itself never overflows the stack. `depth` and `pointer` place a value found inside a larger one.
 */
export function tooDeepPointer(value: unknown, depth = 0, pointer = ''): string | undefined {
  const pending: { value: unknown; depth: number; pointer: string }[] = [{ value, depth, pointer }];
  while (pending.length > 0) {
    const { value: current, depth, pointer } = pending.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth === MAX_JSON_DEPTH) return pointer;
    if (Array.isArray(current)) {
      for (let index = 0; index < current.length; index += 1) {
        const item: unknown = current[index];
        if (item !== null && typeof item === 'object') pending.push({ value: item, depth: depth + 1, pointer: `${pointer}/${index}` });
      }
      continue;
    }
    for (const key in current) {
      const item = (current as Record<string, unknown>)[key];
      if (item !== null && typeof item === 'object') pending.push({ value: item, depth: depth + 1, pointer: `${pointer}/${escapePointer(key)}` });
    }
  }
  return undefined;
}

/** How many values (each array, object and scalar counts one) `value` holds, counting no further than `stopAt`. */
export function countJsonValues(value: unknown, stopAt: number): number {
  const pending: unknown[] = [value];
  let count = 0;
  while (pending.length > 0 && count < stopAt) {
    const current = pending.pop();
    count += 1;
    if (current === null || typeof current !== 'object') continue;
    if (Array.isArray(current)) {
      for (let i = 0; i < current.length && pending.length + count < stopAt; i += 1) pending.push(current[i]);
    } else {
      for (const key in current) {
        if (pending.length + count >= stopAt) break;
        pending.push((current as Record<string, unknown>)[key]);
      }
    }
  }
  return count + pending.length;
}
