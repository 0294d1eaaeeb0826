/**
 * What can be tuned when a model is made: its clock, its id source and the media limits of the
 * double (the real engine's limits are its filesystem's; these keep a test run's memory bounded).
 */
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from './clock';
import { systemTimers, type Timers } from './live-sessions';

export const DEFAULT_MAX_MEDIA_FILE_BYTES = 50 * 1024 * 1024;
export const DEFAULT_MAX_MEDIA_FILES_PER_APP = 10_000;
export const DEFAULT_MAX_MEDIA_PATH_LENGTH = 1024;
export const DEFAULT_MAX_MEDIA_PATH_DEPTH = 32;

export interface MediaLimits {
  /** Largest media file, in bytes. */
  maxMediaFileBytes: number;
  /** Most media files one app may hold (folders do not count). */
  maxMediaFilesPerApp: number;
  /** Longest decoded media path, in characters (UTF-16 code units), separators included. */
  maxMediaPathLength: number;
  /** Most segments in a media path. */
  maxMediaPathDepth: number;
}

export const DEFAULT_MEDIA_LIMITS: Readonly<MediaLimits> = Object.freeze({
  maxMediaFileBytes: DEFAULT_MAX_MEDIA_FILE_BYTES,
  maxMediaFilesPerApp: DEFAULT_MAX_MEDIA_FILES_PER_APP,
  maxMediaPathLength: DEFAULT_MAX_MEDIA_PATH_LENGTH,
  maxMediaPathDepth: DEFAULT_MAX_MEDIA_PATH_DEPTH,
});

export interface ModelOptions {
  now?: Clock;
  newId?: () => string;
  limits?: Partial<MediaLimits>;
  /** The timers that end stalled QIX sessions when their TTL runs out. */
  timers?: Timers;
}

export interface ResolvedModelOptions {
  timers: Timers;
  now: Clock;
  newId: () => string;
  limits: Readonly<MediaLimits>;
}

export function resolveModelOptions(options: ModelOptions = {}): ResolvedModelOptions {
  const limits: MediaLimits = { ...DEFAULT_MEDIA_LIMITS };
  for (const key of Object.keys(DEFAULT_MEDIA_LIMITS) as (keyof MediaLimits)[]) {
    const given = options.limits?.[key];
    if (given === undefined) continue;
    // A misconfigured limit is a programming error of the caller, not a client error.
    if (!Number.isSafeInteger(given) || given < 1) throw new RangeError(`limits.${key} must be a positive integer, not ${given}`);
    limits[key] = given;
  }
  return { timers: options.timers ?? systemTimers, now: options.now ?? systemClock, newId: options.newId ?? randomUUID, limits: Object.freeze(limits) };
}
