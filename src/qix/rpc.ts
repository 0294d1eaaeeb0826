/**
 * JSON-RPC 2.0 as the QIX engine speaks it: requests carry `id`, `handle`, `method` and `params`
 * (by position or by name); answers carry `result` or `error` (`code`, `message`, `parameter`), and
 * `change`/`close` arrays naming handles whose state changed or that are gone. Pure: text in,
 * request or protocol error out; result in, answer out.
 */
import type { QixMethodSpec, QixSurface } from './schema';

export type RpcId = number | string | null;

/** A well-formed request. */
export interface RpcRequest {
  id: RpcId;
  /** False for a notification (no `id`): nothing is answered. */
  answered: boolean;
  handle: number;
  method: string;
  params: unknown[] | Record<string, unknown>;
  /** enigma.js asks for results as JSON patches (its delta protocol). */
  delta: boolean;
}

/** The messages the engine gives for its codes; anything else says what the code's name says. */
const MESSAGES: Readonly<Record<string, string>> = {
  LOCERR_JSON_RPC_PARSE_ERROR: 'Parse error',
  LOCERR_JSON_RPC_INVALID_REQUEST: 'Invalid Request',
  LOCERR_JSON_RPC_METHOD_NOT_FOUND: 'Method not found',
  LOCERR_JSON_RPC_INVALID_PARAMETERS: 'Invalid parameters',
  LOCERR_JSON_RPC_INTERNAL_ERROR: 'Internal error',
  LOCERR_APP_NOT_FOUND: 'App not found',
  LOCERR_APP_ALREADY_OPEN: 'App already open',
  LOCERR_APP_INVALID: 'App invalid',
  LOCERR_GENERIC_ACCESS_DENIED: 'Access denied',
};

/** An engine error: a LocalizedErrorCode name and what it is about (the answer's `parameter`). */
export class QixError extends Error {
  constructor(
    readonly codeName: string,
    readonly parameter: string,
    /** The request broke the protocol or the schema (journaled as a violation), not just a refusal. */
    readonly violation = false,
  ) {
    super(`${codeName}: ${parameter}`);
  }

  /** The id of the request refused, when it could be read. */
  requestId: RpcId = null;
}

export interface RpcErrorBody {
  code: number;
  message: string;
  parameter: string;
}

export function errorBody(surface: QixSurface, error: QixError): RpcErrorBody {
  const code = surface.errorCodes[error.codeName];
  if (code === undefined) throw new Error(`the QIX schema has no error code ${error.codeName}`);
  return { code, message: MESSAGES[error.codeName] ?? error.codeName, parameter: error.parameter };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads one text frame. Throws a QixError (with the request's id when it had one) for anything not a request. */
export function parseRequest(text: string): RpcRequest {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch (error) {
    throw new QixError('LOCERR_JSON_RPC_PARSE_ERROR', `the message is not JSON: ${(error as Error).message}`, true);
  }
  const id = isObject(message) && (typeof message.id === 'number' || typeof message.id === 'string') ? message.id : null;
  const invalid = (why: string) => Object.assign(new QixError('LOCERR_JSON_RPC_INVALID_REQUEST', why, true), { requestId: id });
  if (!isObject(message)) throw invalid('a request must be a JSON object (batches are not supported)');
  if (message.jsonrpc !== undefined && message.jsonrpc !== '2.0') throw invalid('"jsonrpc" must be "2.0"');
  if (message.id !== undefined && id === null && message.id !== null) throw invalid('"id" must be a number or a string');
  if (typeof message.method !== 'string' || message.method === '') throw invalid('"method" must be a non-empty string');
  if (!Number.isSafeInteger(message.handle)) throw invalid('"handle" must be an integer (Global is -1)');
  const params = message.params ?? [];
  if (!Array.isArray(params) && !isObject(params)) throw invalid('"params" must be an array (by position) or an object (by name)');
  return { id, answered: message.id !== undefined, handle: message.handle as number, method: message.method, params, delta: message.delta === true };
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

/**
 * The call's arguments by name, as the schema lists them: positional ones by index, named ones by
 * name; an optional one not sent takes the schema's default. Too many, unknown, missing
 * mandatory or mistyped (against the default's JSON type) parameters are the engine's
 * LOCERR_JSON_RPC_INVALID_PARAMETERS.
 */
export function bindParams(method: string, spec: QixMethodSpec, params: unknown[] | Record<string, unknown>): Record<string, unknown> {
  const invalid = (why: string) => new QixError('LOCERR_JSON_RPC_INVALID_PARAMETERS', `${method}: ${why}`, true);
  const given = new Map<string, unknown>();
  if (Array.isArray(params)) {
    if (params.length > spec.in.length) throw invalid(`takes at most ${spec.in.length} parameters, got ${params.length}`);
    params.forEach((value, index) => given.set(spec.in[index]!.name, value));
  } else {
    for (const [name, value] of Object.entries(params)) {
      if (!spec.in.some((p) => p.name === name)) throw invalid(`has no parameter ${JSON.stringify(name)} (it takes ${spec.in.map((p) => p.name).join(', ') || 'none'})`);
      given.set(name, value);
    }
  }
  const bound: Record<string, unknown> = {};
  for (const parameter of spec.in) {
    const value = given.get(parameter.name);
    if (value === undefined) {
      if (!parameter.optional) throw invalid(`the parameter ${parameter.name} is missing`);
      bound[parameter.name] = parameter.defaultValue;
      continue;
    }
    if (parameter.defaultValue !== undefined && jsonType(value) !== jsonType(parameter.defaultValue)) {
      throw invalid(`the parameter ${parameter.name} must be of type ${jsonType(parameter.defaultValue)}, not ${jsonType(value)}`);
    }
    bound[parameter.name] = value;
  }
  return bound;
}

/** What a method answers besides its result: handles whose state changed, or that are gone. */
export interface MethodOutcome {
  result: Record<string, unknown>;
  change?: number[];
  close?: number[];
}

/** The answer frame; with `delta`, every result member as one JSON patch that replaces it whole. */
export function answerFrame(id: RpcId, outcome: MethodOutcome, delta: boolean): string {
  const result = delta ? Object.fromEntries(Object.entries(outcome.result).map(([key, value]) => [key, [{ op: 'add', path: '/', value }]])) : outcome.result;
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    ...(delta ? { delta: true } : {}),
    result,
    ...(outcome.change?.length ? { change: outcome.change } : {}),
    ...(outcome.close?.length ? { close: outcome.close } : {}),
  });
}

export function errorFrame(id: RpcId, error: RpcErrorBody): string {
  return JSON.stringify({ jsonrpc: '2.0', id, error });
}

export function notificationFrame(method: string, params: Record<string, unknown>): string {
  return JSON.stringify({ jsonrpc: '2.0', method, params });
}
