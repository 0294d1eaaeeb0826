/**
 * The response half of the pipeline: does what a handler returned match the contract for that
 * operation and status? Error answers (4xx/5xx) must have the double's ErrorResponse shape, since the
 * engine's contract documents no error bodies; any other status must be one the operation documents,
 * with a body its schema accepts.
 */
import type { Problem } from '../errors';
import type { EngineResponse } from '../routes/types';
import type { CompiledOperation, Contract } from '../spec/contract';
import { bodyProblems } from './problems';

export function responseProblems(contract: Contract, operation: CompiledOperation | undefined, response: EngineResponse): Problem[] {
  const where = `${operation?.id ?? 'unmatched request'} ${response.status}`;
  if (response.status >= 400) {
    return contract.validateErrorResponse(response.body)
      ? []
      : bodyProblems(contract.validateErrorResponse.errors ?? [], `${where} error body`);
  }
  if (!operation) return [];
  const validator = operation.responseValidators[String(response.status)];
  if (validator === undefined) {
    const documented = Object.keys(operation.responses).join(', ');
    return [{ detail: `${where}: status ${response.status} is not documented (documented: ${documented})`, meta: { rule: 'status' } }];
  }
  if (validator === null) return [];
  if (validator === 'binary') {
    return Buffer.isBuffer(response.body) ? [] : [{ detail: `${where}: a binary body must be bytes`, meta: { rule: 'format', format: 'binary' } }];
  }
  return validator(response.body) ? [] : bodyProblems(validator.errors ?? [], `${where} body`);
}
