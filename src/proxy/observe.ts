/**
 * The proxy's checks: the same contract the double enforces on itself, applied to traffic it only
 * watches. A client's request that breaks the contract is still forwarded, and the engine's answer
 * is still sent as it came; what either broke goes into the journal.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { DoubleError, type ErrorEntry, type Problem } from '../errors';
import type { CompiledOperation, Contract } from '../spec/contract';
import { readRequestBody, validateRequest } from '../validation/request';
import { observedResponseProblems, type ObservedResponse } from '../validation/response';
import type { RequestWarning } from '../validation/tolerance';

/** A request as the proxy forwarded it: path parameters as sent, the body's bytes. */
export interface ForwardedRequest {
  rawParams: Record<string, string>;
  query: Record<string, string | string[]>;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** The bytes already read, as a message the request stage can read again (it takes an IncomingMessage). */
function replay(headers: IncomingHttpHeaders, bytes: Buffer): IncomingMessage {
  const message = new IncomingMessage(new Socket());
  message.headers = headers;
  if (bytes.length > 0) message.push(bytes);
  message.push(null);
  return message;
}

/**
 * What the double would refuse this request with (Content-Type, body, parameters), as error
 * entries; empty when it keeps the contract. What it would tolerate goes into `warnings`. The size
 * limit was applied when the bytes were read.
 */
export async function requestViolations(operation: CompiledOperation, request: ForwardedRequest, warnings: RequestWarning[] = []): Promise<ErrorEntry[]> {
  try {
    const { value: body } = await readRequestBody(replay(request.headers, request.body), operation, Number.MAX_SAFE_INTEGER, warnings);
    validateRequest(operation, { rawParams: request.rawParams, query: request.query, headers: request.headers, body });
    return [];
  } catch (error) {
    if (error instanceof DoubleError) return error.entries;
    throw error;
  }
}

/**
 * How the engine's answer breaks the contract of `operation`: status, body schema, JSON syntax,
 * Content-Type, judged by the one response judge (src/validation/response.ts) as `check` judges it,
 * except that an error status the contract does not document is no violation here: the contract
 * names no error answers, and clients meet 401, 404 or 429 from real engines in normal use.
 */
export function responseViolations(contract: Contract, operation: CompiledOperation, observed: ObservedResponse): Problem[] {
  return observedResponseProblems(contract, operation, observed, { undocumentedErrors: 'accepted' }).map((problem) => ({
    ...problem,
    detail: `the engine's answer: ${problem.detail}`,
  }));
}
