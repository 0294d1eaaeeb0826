/** Shared test fixtures for the engine model: a clock the test moves and predictable ids. */
import { DoubleError, ErrorTemplates, type ErrorKind } from '../../../src/errors';
import { EngineModel } from '../../../src/state/engine';
import type { ModelOptions } from '../../../src/state/options';

export const START = '2024-01-01T00:00:00.000Z';

export interface TestWorld {
  model: EngineModel;
  /** Moves the model's clock forward. */
  advance(ms: number): void;
  /** The clock's current ISO timestamp. */
  now(): string;
}

export function testOptions(extra: Omit<ModelOptions, 'now' | 'newId'> = {}): ModelOptions & { advance(ms: number): void; iso(): string } {
  let time = Date.parse(START);
  let nextId = 0;
  return {
    ...extra,
    now: () => new Date(time),
    newId: () => `app-${(nextId += 1)}`,
    advance: (ms: number) => {
      time += ms;
    },
    iso: () => new Date(time).toISOString(),
  };
}

export function newWorld(extra: Omit<ModelOptions, 'now' | 'newId'> = {}): TestWorld {
  const options = testOptions(extra);
  return { model: new EngineModel(options), advance: options.advance, now: options.iso };
}

/** Runs `action`, expects a DoubleError of `kind`, and returns it for further checks. */
export function expectDoubleError(action: () => unknown, kind: ErrorKind): DoubleError {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(DoubleError);
  const error = caught as DoubleError;
  expect(error.entries[0]?.code).toBe(ErrorTemplates[kind].code);
  expect(error.status).toBe(ErrorTemplates[kind].status);
  return error;
}
