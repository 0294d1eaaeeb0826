import request from 'supertest';
import { createApp, DoubleRuntime, type DoubleOptions } from '../../src/server';
import type { ErrorResponseBody } from '../../src/errors';
import { loadContract } from '../../src/spec/contract';

/** A double's app for supertest, with its runtime to look inside. */
export function newDouble(options: DoubleOptions = {}) {
  const runtime = new DoubleRuntime({ log: () => undefined, ...options });
  const app = createApp(runtime);
  return { runtime, app, http: request(app) };
}

/** Asserts the double's error shape (ErrorResponse of spec/control-api.json) and returns the entries. */
export function errorsOf(body: unknown): ErrorResponseBody['errors'] {
  const validate = loadContract().validateErrorResponse;
  if (!validate(body)) throw new Error(`not an ErrorResponse: ${JSON.stringify(validate.errors)} in ${JSON.stringify(body)}`);
  return (body as ErrorResponseBody).errors;
}
