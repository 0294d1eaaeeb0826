/**
 * Control calls made in process (the handle `startEngineDouble` returns): the checks and handlers
 * of a call over HTTP, without a socket. The namespace name is checked as the header is, the
 * parameters and body against the control contract as the pipeline checks them, then the same
 * handler of `controlRoutes` runs; a refusal throws the DoubleError HTTP would answer with.
 * Bodies go in and come out as JSON text carries them, so a caller never holds objects the
 * double keeps (a journal entry, a scenario it registered) and sees the values HTTP would give.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { EngineResponse } from '../routes/types';
import type { DoubleRuntime } from '../server';
import { missingBody, validateRequest } from '../validation/request';
import { JSON_MEDIA_TYPE } from '../validation/tolerance';
import { NAMESPACE_HEADER, namespaceOf } from './namespaces';
import { controlRoutes, type ControlOperationId } from './routes';

/** What a control call sends besides its operation. */
export interface ControlCall {
  /** The namespace the call addresses; absent or "" for the default one. */
  namespace?: string;
  query?: Record<string, string>;
  /** A JSON value; absent sends no body. */
  body?: unknown;
}

/** The value after a trip through JSON text, as the other side of an HTTP call sees it. */
function throughJson(value: unknown): unknown {
  if (value === undefined) return undefined;
  const text = JSON.stringify(value);
  return text === undefined ? undefined : (JSON.parse(text) as unknown);
}

/** The headers an HTTP call to the namespace carries, for the checks that read them. */
function namespaceHeaders(namespace: string | undefined): IncomingHttpHeaders {
  return namespace ? { [NAMESPACE_HEADER]: namespace } : {};
}

/**
 * Runs one control operation in process and returns its answer (body already through JSON);
 * throws the DoubleError an HTTP call would get as a 4xx. Not journaled: it is not a request.
 * The control token is not asked for: code that holds the runtime is the double's owner.
 */
export async function invokeControl(runtime: DoubleRuntime, operationId: ControlOperationId, call: ControlCall = {}): Promise<EngineResponse> {
  const headers = namespaceHeaders(call.namespace);
  const namespace = namespaceOf(headers);
  const operation = runtime.contract.operation(operationId);
  const query = call.query ?? {};
  const body = throughJson(call.body);
  if (operation.body?.required && body === undefined) {
    throw missingBody(operation, [JSON_MEDIA_TYPE]);
  }
  const params = validateRequest(operation, { rawParams: {}, query, headers, body });
  const response = await controlRoutes[operationId]({ params, rawParams: {}, query, headers, body }, { runtime, namespace });
  return { ...response, body: throughJson(response.body) };
}
