/**
 * `check`: contract-tests a live server (a real engine, or a double) by calling its operations and
 * judging every answer against the engine's contract (judge.ts). The safe operations always run;
 * with `mutating` the create / update / media / copy / publish / import / delete flows run on an
 * app the check creates and always removes. The result is plain data for the reporters.
 */
import { loadContract, type Contract } from '../spec/contract';
import type { EngineOperationId } from '../spec/types';
import { isJsonObject } from '../state/scenario-apps';
import { contractProblems, type CheckProblem, type ObservedResponse } from './judge';

/** Per-request timeout when none is given. */
export const DEFAULT_CHECK_TIMEOUT_MS = 10_000;
/** Largest answer body read; a larger one fails its call (a check must not exhaust memory). */
export const MAX_CHECK_RESPONSE_BYTES = 64 * 1024 * 1024;
/** Where the probe file goes inside the app the check creates. */
export const CHECK_MEDIA_FOLDER = 'qlik-engine-double-check';
const CHECK_MEDIA_PATH = `${CHECK_MEDIA_FOLDER}/probe.bin`;
/** A few bytes covering every byte value class: NUL, high bytes, text. */
const PROBE_BYTES = Buffer.concat([Buffer.from([0, 1, 2, 127, 128, 254, 255]), Buffer.from('qlik-engine-double check\n')]);

export type CallOutcome = 'ok' | 'fail' | 'skipped';

/** One call of the check (or one it skipped). */
export interface CallResult {
  /** The operation id, with what the call was about when an operation is called more than once: `DELETE /v1/apps/{appId} (the copy)`. */
  name: string;
  operationId: EngineOperationId;
  /** Method and path actually requested, e.g. `GET /v1/apps/3f2a…`; absent when skipped. */
  request?: string;
  /** The answer's status; absent when skipped or when no answer came. */
  status?: number;
  outcome: CallOutcome;
  durationMs: number;
  problems: CheckProblem[];
  /** Why a skipped call was not made. */
  skipReason?: string;
  /** With asRealClients against a double: what it journaled as tolerated for this call (`CODE: detail`). */
  warnings?: string[];
}

/** Everything a check found; reporters are pure functions of this. */
export interface CheckResult {
  baseUrl: string;
  mutating: boolean;
  /** ISO 8601 time the check started. */
  startedAt: string;
  durationMs: number;
  calls: CallResult[];
}

export interface CheckOptions {
  /** The server's base URL, e.g. http://localhost:9076 (a path prefix is kept). */
  baseUrl: string;
  /** Run the flows that create, change and remove an app. */
  mutating?: boolean;
  timeoutMs?: number;
  /** Sent with every request, e.g. `{ authorization: 'Bearer …' }` for a secured engine. */
  headers?: Record<string, string>;
  /**
   * Send what real clients send instead of what the contract declares: JSON bodies without a
   * Content-Type, the import's bytes as `curl --data-binary` sends them
   * (application/x-www-form-urlencoded), media paths as one encoded segment (images%2Flogo.png).
   * A real engine answers these as usual; a double also journals them as requestWarnings, which
   * the check then reads from its journal and reports with each call.
   */
  asRealClients?: boolean;
  /** Called after each call (skipped ones too), in order: for progress lines. */
  onCall?: (call: CallResult) => void;
  contract?: Contract;
}

/** True when no call failed: skipped calls do not fail a check. */
export function checkPassed(result: CheckResult): boolean {
  return result.calls.every((call) => call.outcome !== 'fail');
}

interface StepRequest {
  operationId: EngineOperationId;
  /** What the call is about, when the operation is called more than once. */
  label?: string;
  /** Path parameters, raw: encoded here. */
  path?: Record<string, string>;
  query?: Record<string, string>;
  json?: unknown;
  bytes?: Buffer;
  /** Statuses the flow needs; others fail the call even where documented (e.g. 404 for a file just uploaded). */
  expect?: readonly number[];
  /** Flow checks on an expected answer, beyond the contract. */
  verify?: (answer: Answer) => CheckProblem[];
}

interface Answer extends ObservedResponse {
  /** The body parsed as JSON, if it is JSON. */
  json: unknown;
}

interface StepOutcome {
  call: CallResult;
  answer?: Answer;
}

/** Media paths keep their '/' separators (unless sent as a generated client does); every other parameter is one encoded segment. */
function encodeParameter(name: string, value: string, asRealClients: boolean): string {
  return name === 'path' && !asRealClients ? value.split('/').map(encodeURIComponent).join('/') : encodeURIComponent(value);
}

function pathOf(template: string, parameters: Record<string, string>, asRealClients = false): string {
  return template.replace(/\{([^}]+)\}/g, (_whole, name: string) => {
    const value = parameters[name];
    if (value === undefined) throw new Error(`check: no value for {${name}} in ${template}`);
    return encodeParameter(name, value, asRealClients);
  });
}

/** The bytes' Content-Type: what the contract declares, or what curl sends for an import. */
function bytesContentType(operationId: EngineOperationId, asRealClients: boolean): string {
  return asRealClients && operationId === 'POST /v1/apps/import' ? 'application/x-www-form-urlencoded' : 'application/octet-stream';
}

interface JournaledRequest {
  time?: string;
  method?: string;
  path?: string;
  requestWarnings?: { code?: string; detail?: string }[];
}

/**
 * When the server is a double (it answers GET /__control/journal), the requestWarnings it journaled
 * for this check's calls (same method and path, since the check began) go onto those calls. Any
 * other server, or a refused journal call, adds nothing.
 */
async function attachDoubleWarnings(baseUrl: string, headers: Record<string, string>, startedAt: string, calls: CallResult[], timeoutMs: number): Promise<void> {
  let entries: JournaledRequest[];
  try {
    const response = await fetch(`${baseUrl}/__control/journal`, { headers, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    const json = parseJson(await readLimited(response));
    if (!response.ok || !isJsonObject(json) || !Array.isArray(json.entries)) return;
    entries = (json.entries as JournaledRequest[]).filter((entry) => typeof entry?.time === 'string' && entry.time >= startedAt);
  } catch {
    return;
  }
  for (const call of calls) {
    const [method, path] = (call.request ?? ' ').split(' ', 2);
    // endsWith: the journal holds the whole request target, a base URL's path prefix included.
    const index = entries.findIndex((entry) => entry.method === method && path !== undefined && path !== '' && entry.path?.endsWith(path) === true);
    if (index === -1) continue;
    const [entry] = entries.splice(index, 1);
    const warnings = (entry?.requestWarnings ?? []).map((warning) => `${warning.code}: ${warning.detail}`);
    if (warnings.length > 0) call.warnings = warnings;
  }
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}

class ResponseTooLarge extends Error {}

async function readLimited(response: Response): Promise<Buffer> {
  if (!response.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response.body) {
    total += chunk.byteLength;
    if (total > MAX_CHECK_RESPONSE_BYTES) throw new ResponseTooLarge();
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

function failureOf(error: unknown, timeoutMs: number): CheckProblem {
  if (error instanceof ResponseTooLarge) return { rule: 'too-large', detail: `the body is over ${MAX_CHECK_RESPONSE_BYTES} bytes` };
  // By name, not instanceof: fetch's errors may come from another realm (jest's vm context).
  if ((error as { name?: unknown }).name === 'TimeoutError') return { rule: 'timeout', detail: `no complete answer within ${timeoutMs} ms` };
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return { rule: 'network', detail: `${message}${cause}` };
}

function appIdOf(json: unknown): string | undefined {
  const attributes = isJsonObject(json) ? json.attributes : undefined;
  const id = isJsonObject(attributes) ? attributes.id : undefined;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

function needsAppId(answer: Answer): CheckProblem[] {
  return appIdOf(answer.json) ? [] : [{ rule: 'flow', detail: 'the answer has no attributes.id, so the flow cannot go on with this app' }];
}

function nameOf(operationId: EngineOperationId, label: string | undefined): string {
  return label ? `${operationId} (${label})` : operationId;
}

/** Runs one check. Never throws for what the server does: every failure is in the result. */
export async function runCheck(options: CheckOptions): Promise<CheckResult> {
  const contract = options.contract ?? loadContract();
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const asRealClients = options.asRealClients === true;
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const calls: CallResult[] = [];

  const record = (call: CallResult): void => {
    calls.push(call);
    options.onCall?.(call);
  };

  const skip = (operationId: EngineOperationId, skipReason: string, label?: string): void =>
    record({ name: nameOf(operationId, label), operationId, outcome: 'skipped', durationMs: 0, problems: [], skipReason });

  const step = async (request: StepRequest): Promise<StepOutcome> => {
    const operation = contract.operation(request.operationId);
    const search = new URLSearchParams(request.query ?? {}).toString();
    const path = `${pathOf(operation.path, request.path ?? {}, asRealClients)}${search ? `?${search}` : ''}`;
    const headers: Record<string, string> = { ...options.headers };
    let body: string | Buffer | undefined;
    if (request.json !== undefined) {
      if (!asRealClients) headers['content-type'] = 'application/json';
      body = JSON.stringify(request.json);
    } else if (request.bytes !== undefined) {
      headers['content-type'] = bytesContentType(request.operationId, asRealClients);
      body = request.bytes;
    }
    const call: CallResult = {
      name: nameOf(request.operationId, request.label),
      operationId: request.operationId,
      request: `${operation.method} ${path}`,
      outcome: 'ok',
      durationMs: 0,
      problems: [],
    };
    const begun = performance.now();
    let answer: Answer | undefined;
    try {
      // No redirects followed: the contract documents none, so one is an answer to judge, not to chase.
      const response = await fetch(`${baseUrl}${path}`, {
        method: operation.method,
        headers,
        ...(body !== undefined ? { body } : {}),
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      call.status = response.status;
      const bytes = await readLimited(response);
      answer = { status: response.status, contentType: response.headers.get('content-type') ?? undefined, bytes, json: parseJson(bytes) };
    } catch (error) {
      call.problems.push(failureOf(error, timeoutMs));
    }
    call.durationMs = Math.round((performance.now() - begun) * 10) / 10;
    if (answer) {
      call.problems.push(...contractProblems(contract, operation, answer));
      const expected = request.expect ?? [200];
      if (!expected.includes(answer.status)) {
        // An undocumented error already says what went wrong; a documented but unwanted status needs saying.
        if (call.problems.length === 0) call.problems.push({ rule: 'flow', detail: `the flow needs ${expected.join(' or ')} here, the answer was ${answer.status}` });
      } else {
        call.problems.push(...(request.verify?.(answer) ?? []));
      }
    }
    if (call.problems.length > 0) call.outcome = 'fail';
    record(call);
    return answer ? { call, answer } : { call };
  };

  const createdId = async (request: StepRequest): Promise<string | undefined> => {
    // Any id that came back is used, even from an answer that broke a rule, so that what was made gets removed.
    const { answer } = await step({ ...request, verify: needsAppId });
    return answer && answer.status < 300 ? appIdOf(answer.json) : undefined;
  };

  for (const operationId of SAFE_OPERATIONS) await step({ operationId });

  if (!options.mutating) {
    for (const { operationId, label } of MUTATING_STEPS) skip(operationId, 'needs --mutating (it creates, changes and removes an app)', label);
  } else {
    await mutatingFlow(step, skip, createdId);
  }
  if (asRealClients) await attachDoubleWarnings(baseUrl, { ...options.headers }, startedAt, calls, timeoutMs);

  return {
    baseUrl,
    mutating: options.mutating === true,
    startedAt,
    durationMs: Math.round(performance.now() - started),
    calls,
  };
}

/** Called on every run: they read and change nothing. */
const SAFE_OPERATIONS: readonly EngineOperationId[] = ['GET /health', 'GET /healthcheck', 'GET /sessions', 'GET /v1/apps/privileges'];

/** The mutating flow's calls in order, as reported when skipped. */
const MUTATING_STEPS: readonly { operationId: EngineOperationId; label?: string }[] = [
  { operationId: 'POST /v1/apps' },
  { operationId: 'GET /v1/apps/{appId}' },
  { operationId: 'PUT /v1/apps/{appId}' },
  { operationId: 'GET /v1/apps/{appId}/data/metadata' },
  { operationId: 'PUT /v1/apps/{appId}/media/files/{path}' },
  { operationId: 'GET /v1/apps/{appId}/media/files/{path}' },
  { operationId: 'GET /v1/apps/{appId}/media/list/{path}' },
  { operationId: 'GET /v1/apps/{appId}/media/thumbnail' },
  { operationId: 'POST /v1/apps/{appId}/copy' },
  { operationId: 'DELETE /v1/apps/{appId}', label: 'the copy' },
  { operationId: 'PUT /v1/apps/{appId}/publish' },
  { operationId: 'PUT /v1/apps/{appId}/unpublish' },
  { operationId: 'POST /v1/apps/import' },
  { operationId: 'DELETE /v1/apps/{appId}', label: 'the import' },
  { operationId: 'DELETE /v1/apps/{appId}/media/files/{path}' },
  { operationId: 'DELETE /v1/apps/{appId}', label: 'the app' },
];

type Step = (request: StepRequest) => Promise<StepOutcome>;
type Skip = (operationId: EngineOperationId, reason: string, label?: string) => void;
type CreatedId = (request: StepRequest) => Promise<string | undefined>;

/** POST /v1/apps, every app operation on what it made, and DELETE of it in a finally. */
async function mutatingFlow(step: Step, skip: Skip, createdId: CreatedId): Promise<void> {
  const name = `qlik-engine-double check ${new Date().toISOString()}`;
  const appId = await createdId({
    operationId: 'POST /v1/apps',
    json: { attributes: { name, description: 'made by qlik-engine-double check, which removes it when done' } },
  });
  if (appId === undefined) {
    for (const { operationId, label } of MUTATING_STEPS.slice(1)) skip(operationId, 'no app to work on: POST /v1/apps gave none', label);
    return;
  }
  const app = { appId };
  try {
    await step({
      operationId: 'GET /v1/apps/{appId}',
      path: app,
      verify: (answer) => (appIdOf(answer.json) === appId ? [] : [{ rule: 'flow', detail: `attributes.id is not the app asked for (${appId})` }]),
    });
    await step({ operationId: 'PUT /v1/apps/{appId}', path: app, json: { attributes: { name: `${name} (renamed)` } } });
    await step({ operationId: 'GET /v1/apps/{appId}/data/metadata', path: app });
    const media = { appId, path: CHECK_MEDIA_PATH };
    await step({ operationId: 'PUT /v1/apps/{appId}/media/files/{path}', path: media, bytes: PROBE_BYTES });
    await step({
      operationId: 'GET /v1/apps/{appId}/media/files/{path}',
      path: media,
      verify: (answer) => (answer.bytes.equals(PROBE_BYTES) ? [] : [{ rule: 'flow', detail: `the file came back as ${answer.bytes.length} bytes that differ from the ${PROBE_BYTES.length} uploaded` }]),
    });
    await step({ operationId: 'GET /v1/apps/{appId}/media/list/{path}', path: { appId, path: CHECK_MEDIA_FOLDER }, query: { show: 'a' } });
    // The new app has no thumbnail: the documented 404 is a right answer.
    await step({ operationId: 'GET /v1/apps/{appId}/media/thumbnail', path: app, expect: [200, 404] });
    const copyId = await createdId({ operationId: 'POST /v1/apps/{appId}/copy', path: app, json: { attributes: { name: `${name} (copy)` } } });
    if (copyId === undefined) skip('DELETE /v1/apps/{appId}', 'no copy to delete: POST /v1/apps/{appId}/copy gave none', 'the copy');
    else await step({ operationId: 'DELETE /v1/apps/{appId}', label: 'the copy', path: { appId: copyId } });
    await step({ operationId: 'PUT /v1/apps/{appId}/publish', path: app, json: {} });
    await step({ operationId: 'PUT /v1/apps/{appId}/unpublish', path: app });
    const importId = await createdId({
      operationId: 'POST /v1/apps/import',
      query: { name: `${name} (import)` },
      bytes: Buffer.from(JSON.stringify({ attributes: { name: `${name} (import)` } })),
    });
    if (importId === undefined) skip('DELETE /v1/apps/{appId}', 'no import to delete: POST /v1/apps/import gave none', 'the import');
    else await step({ operationId: 'DELETE /v1/apps/{appId}', label: 'the import', path: { appId: importId } });
    await step({ operationId: 'DELETE /v1/apps/{appId}/media/files/{path}', path: media });
  } finally {
    await step({ operationId: 'DELETE /v1/apps/{appId}', label: 'the app', path: app });
  }
}
