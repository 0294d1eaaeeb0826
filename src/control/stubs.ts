/**
 * Stubs: per-namespace rules "a request like this gets this answer", tried before the engine
 * model (msw's `use()`, WireMock's stub mappings). Requests are matched with the matcher module
 * verifications use (request-matcher.ts), on the same recorded view of the request. Unlike the
 * peers' stubs these are checked against the engine's contract when registered: a stub names one
 * operation, and its answer must be one the pipeline would send for it (a documented status, a
 * body its schema accepts, the double's error shape for 4xx/5xx), unless the stub says
 * `"contract": "off"`, and then every answer it gives is journaled as a violation.
 */
import { doubleError, type Problem } from '../errors';
import type { EngineResponse } from '../routes/types';
import type { ActiveStub, StubInput } from '../spec/types';
import { matcherProblems, matches, type RecordedRequest, type RequestMatcher } from './request-matcher';

/**
 * Stubs as the control contract (spec/control-api.json) types them: StubInput (its Stub) and
 * StubResponse as PUT/POST /__control/stubs take them; ActiveStub, numbered (`id`) with the
 * operation it answers for (absent only for a contract-off stub that names none) and its counters
 * (`applied`, `remaining` for a stub with a count), as GET /__control/stubs lists it.
 */
export type { ActiveStub, StubInput, StubResponse } from '../spec/types';

/** What the contract check needs to know about the engine's operations. */
export interface StubContract {
  /** The engine operation with this id, or undefined. */
  engineOperation(id: string): { id: string } | undefined;
  /** The engine operation a method and a concrete path reach, or a sentence why none. */
  resolve(method: string, path: string): { id: string } | string;
  /** The problems the pipeline would find in this answer of this operation (src/validation/response.ts). */
  responseProblems(operationId: string | undefined, response: EngineResponse): Problem[];
  /** Is this id an operation of either contract (for matchers)? */
  knownOperation(id: string): boolean;
}

/** Most stubs one namespace holds. */
export const MAX_STUBS = 500;

/** The answer a stub gives, built once at registration. */
function responseOf(stub: StubInput): EngineResponse {
  const { status, headers, body, base64 } = stub.response;
  return {
    status,
    ...(headers ? { headers } : {}),
    ...(base64 !== undefined ? { body: Buffer.from(base64, 'base64') } : body !== undefined ? { body } : {}),
  };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The operation a stub answers for: named, or reached by its method and a path without wildcards. */
function operationOf(stub: StubInput, at: string, contract: StubContract): { id?: string; problems: Problem[] } {
  const { operationId, method, path } = stub.request;
  if (operationId !== undefined) {
    if (contract.engineOperation(operationId)) return { id: operationId, problems: [] };
    if (!contract.knownOperation(operationId)) return { problems: [] }; // the matcher check reports it
    return { problems: [{ detail: `${at}/request/operationId ${operationId} is a control operation: only engine calls can be stubbed`, source: { pointer: `${at}/request/operationId` }, meta: { rule: 'engineOperation' } }] };
  }
  if (method !== undefined && path !== undefined && !path.includes('*')) {
    const found = contract.resolve(method.toUpperCase(), path);
    if (typeof found !== 'string') return { id: found.id, problems: [] };
    return { problems: [{ detail: `${at}/request ${method.toUpperCase()} ${path}: ${found}`, source: { pointer: `${at}/request/path` }, meta: { rule: 'operation' } }] };
  }
  if (stub.contract === 'off') return { problems: [] };
  return {
    problems: [
      {
        detail: `${at}/request must name the operation whose contract the answer is checked against: give operationId ("GET /v1/apps/{appId}"), or method and a path without wildcards (or "contract": "off")`,
        source: { pointer: `${at}/request` },
        meta: { rule: 'operation' },
      },
    ],
  };
}

/** Every problem of a list of stubs; `at` is the list's pointer ("/stubs"). */
function stubProblems(stubs: readonly StubInput[], at: string, contract: StubContract): { problems: Problem[]; operations: (string | undefined)[] } {
  const problems: Problem[] = [];
  const operations = stubs.map((stub, index) => {
    const here = `${at}/${index}`;
    problems.push(...matcherProblems(stub.request, `${here}/request`, contract.knownOperation));
    const { base64, body } = stub.response;
    if (base64 !== undefined && body !== undefined) {
      problems.push({ detail: `${here}/response has both body and base64: give one`, source: { pointer: `${here}/response/base64` }, meta: { rule: 'oneBody' } });
    }
    if (base64 !== undefined && !BASE64.test(base64)) {
      problems.push({ detail: `${here}/response/base64 is not base64`, source: { pointer: `${here}/response/base64` }, meta: { rule: 'base64' } });
    }
    const { id, problems: operationProblems } = operationOf(stub, here, contract);
    problems.push(...operationProblems);
    if (stub.contract !== 'off' && id !== undefined && operationProblems.length === 0) {
      for (const problem of contract.responseProblems(id, responseOf(stub))) {
        const rule = problem.meta?.rule;
        const pointer =
          rule === 'status'
            ? `${here}/response/status`
            : rule === 'content-type'
              ? `${here}/response/headers`
              : `${here}/response/body${problem.source?.pointer === '/' ? '' : (problem.source?.pointer ?? '')}`;
        problems.push({ ...problem, detail: `${here}/response: ${problem.detail}`, source: { pointer }, meta: { ...problem.meta, operation: id } });
      }
    }
    return id;
  });
  return { problems, operations };
}

/**
 * Throws a 400 listing each problem of `inputs` (more than MAX_STUBS with the `already` held, or
 * stubs that break the contract); else the operation each stub names. Callers check before they
 * make anything (a namespace, say).
 */
export function refuseBadStubs(inputs: readonly StubInput[], contract: StubContract, already = 0): (string | undefined)[] {
  if (already + inputs.length > MAX_STUBS) {
    throw doubleError('invalidStub', { detail: `a namespace holds at most ${MAX_STUBS} stubs; this would make ${already + inputs.length}`, source: { pointer: '/stubs' }, meta: { rule: 'maxStubs', limit: MAX_STUBS } });
  }
  const { problems, operations } = stubProblems(inputs, '/stubs', contract);
  if (problems.length > 0) throw doubleError('invalidStub', problems);
  return operations;
}

/** What the pipeline gets from a stub that matched: its id, whether it is off-contract, and the answer. */
export interface StubAnswer {
  id: number;
  contractOff: boolean;
  response: EngineResponse;
}

interface HeldStub {
  active: ActiveStub;
  response: EngineResponse;
  matcher: RequestMatcher;
}

/**
 * Highest priority first; equal priorities in the order registered (Array.prototype.sort is stable,
 * and the stubs held are already in this order, so added ones go after them within their priority).
 */
function byPriority(stubs: HeldStub[]): HeldStub[] {
  return stubs.sort((a, b) => (b.active.priority ?? 0) - (a.active.priority ?? 0));
}

/** One namespace's stubs, kept highest priority first (sorted when added, not per request). */
export class Stubs {
  private held: HeldStub[] = [];

  /** `nextId` numbers stubs across every namespace, so a journaled id names one stub. */
  constructor(private readonly nextId: () => number) {}

  /** Replaces every stub, or throws a 400 listing each problem and changes nothing. */
  replace(inputs: readonly StubInput[], contract: StubContract): ActiveStub[] {
    this.held = byPriority(this.checked(inputs, contract, 0));
    return this.list();
  }

  /** Adds stubs after the ones held (within their priority), or throws and changes nothing. */
  add(inputs: readonly StubInput[], contract: StubContract): ActiveStub[] {
    const added = this.checked(inputs, contract, this.held.length);
    this.held = byPriority([...this.held, ...added]);
    return added.map(({ active }) => ({ ...active }));
  }

  private checked(inputs: readonly StubInput[], contract: StubContract, already: number): HeldStub[] {
    const operations = refuseBadStubs(inputs, contract, already);
    return inputs.map((input, index) => {
      const operationId = operations[index];
      const matcher = operationId === undefined ? input.request : { ...input.request, operationId };
      const active: ActiveStub = {
        id: this.nextId(),
        ...input,
        ...(operationId !== undefined ? { operationId } : {}),
        applied: 0,
        ...(input.count !== undefined ? { remaining: input.count } : {}),
      };
      return { active, response: responseOf(input), matcher };
    });
  }

  /** Highest priority first; equal priorities in the order registered. */
  list(): ActiveStub[] {
    return this.held.map(({ active }) => ({ ...active }));
  }

  clear(): void {
    this.held = [];
  }

  /** The answer of the first stub that matches this request and has answers left, counted as applied. */
  take(request: RecordedRequest): StubAnswer | undefined {
    const hit = this.held.find(({ active, matcher }) => active.remaining !== 0 && matches(matcher, request));
    if (!hit) return undefined;
    hit.active.applied += 1;
    if (hit.active.remaining !== undefined) hit.active.remaining -= 1;
    return { id: hit.active.id, contractOff: hit.active.contract === 'off', response: hit.response };
  }
}
