/** Time as the model sees it: injectable so tests can pin and move it. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/** Engines print app dates in ISO 8601 extended form: 2024-05-01T12:00:00.000Z. */
export function isoTimestamp(clock: Clock): string {
  return clock().toISOString();
}
