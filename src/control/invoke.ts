/**
 * Control calls made in process (the handle `startEngineDouble` returns): the checks and handlers
 * of a call over HTTP, without a socket. The namespace name is checked as the header is, the
 * parameters and body against the control contract as the pipeline checks them, then the same
 * handler of `controlRoutes` runs; a refusal throws the DoubleError HTTP would answer with.
 * Bodies go in and come out as JSON text carries them, so a caller never holds objects the
 * double keeps (a journal entry, a scenario it registered) and sees the values HTTP would give.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Pipeline } from '../pipeline/call';
import type { EngineResponse } from '../routes/types';
import type { Contract } from '../spec/contract';
import type { ControlOperationId, RequestInputs } from '../spec/types';
import { NAMESPACE_HEADER } from './namespaces';

/** What a control call sends besides its operation: its query and body typed from the operation's contract. */
export interface ControlCall<Operation extends ControlOperationId = ControlOperationId> {
  /** The namespace the call addresses; absent or "" for the default one. */
  namespace?: string;
  /** Query parameters as text. */
  query?: RequestInputs<Operation>['query'];
  /** A JSON value; absent sends no body. */
  body?: RequestInputs<Operation>['body'];
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

/** What an in-process control call needs of the double: the contract to find the operation, the stages to run it. */
export interface InProcessDouble {
  readonly contract: Pick<Contract, 'operation'>;
  readonly pipeline: Pipeline;
}

/**
 * Runs one control operation in process through the stages an in-process call runs (namespace →
 * body → validate → handle) and returns its answer (body already through JSON); throws the
 * DoubleError an HTTP call would get as a 4xx. Not journaled: it is not a request. The control
 * token is not asked for: code that holds the runtime is the double's owner.
 */
export async function invokeControl<Operation extends ControlOperationId>(double: InProcessDouble, operationId: Operation, call: ControlCall<Operation> = {}): Promise<EngineResponse> {
  const ran = await double.pipeline.run({
    kind: 'in-process',
    started: performance.now(),
    method: operationId.slice(0, operationId.indexOf(' ')),
    headers: namespaceHeaders(call.namespace),
    query: call.query ?? {},
    operation: double.contract.operation(operationId),
    rawParams: {},
    body: throughJson(call.body),
    requestViolations: [],
    requestWarnings: [],
  });
  if (ran.refusal !== undefined) throw ran.refusal;
  if (ran.response === undefined) throw new Error(`${operationId} ran its stages without an answer`);
  return { ...ran.response, body: throughJson(ran.response.body) };
}
