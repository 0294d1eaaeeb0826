/**
 * The string and number formats every validator of the double checks (the contract's, the
 * scenario format's): ajv-formats' full set, with two changes the engine's published spec needs.
 * Precompiled validators (src/build/precompile.ts) require this module, so built and run-time
 * validators judge alike.
 */
import type { FormatDefinition } from 'ajv';
import { fullFormats } from 'ajv-formats/dist/formats';

/**
 * What real engines send for a date that is not set (an unpublished app's `publishTime`, an
 * imported app's `createdDate`): the contract says "Empty if unpublished" beside `format:
 * date-time`. This is the one place that tolerance lives; docs/scenarios.md documents it.
 */
export const UNSET_DATE_TIME = '';

const isoDateTime = (fullFormats['date-time'] as FormatDefinition<string>).validate as (text: string) => boolean;

/**
 * ajv-formats' date-time check costs ~2 µs a string, paid for every date of every NxApp the double
 * answers (the same few dates again and again): verdicts on short strings are remembered, up to a
 * bound, so the check costs a map lookup on the hot path and memory stays bounded.
 */
const DATE_VERDICTS_LIMIT = 10_000;
const DATE_VERDICT_MAX_LENGTH = 64;
const dateVerdicts = new Map<string, boolean>();

function isDateTime(value: string): boolean {
  if (value === UNSET_DATE_TIME) return true;
  const known = dateVerdicts.get(value);
  if (known !== undefined) return known;
  const verdict = isoDateTime(value);
  if (value.length <= DATE_VERDICT_MAX_LENGTH) {
    if (dateVerdicts.size >= DATE_VERDICTS_LIMIT) dateVerdicts.clear();
    dateVerdicts.set(value, verdict);
  }
  return verdict;
}

/** Smallest and largest int64, as far as a JSON number (a double) can say them. */
const INT64_MIN = -(2 ** 63);
const INT64_MAX_EXCLUSIVE = 2 ** 63;

export const CONTRACT_FORMATS = {
  ...fullFormats,
  /** An ISO 8601 date-time with a time zone, or the engine's empty string for an unset date. */
  'date-time': {
    type: 'string',
    validate: isDateTime,
  } satisfies FormatDefinition<string>,
  /** ajv-formats checks only that an int64 is whole; the range is the format's too. */
  int64: {
    type: 'number',
    validate: (value: number) => Number.isInteger(value) && value >= INT64_MIN && value < INT64_MAX_EXCLUSIVE,
  } satisfies FormatDefinition<number>,
};
