/**
 * The `spec-examples` mode: engine operations answer what Prism (@stoplight/prism-http) generates
 * from the engine's contract (static examples, or dynamic ones drawn with a seed) instead of the
 * stateful model. Prism takes seconds to import, so it is required on the first spec-examples
 * request only: a double that never runs this mode never loads it. Prism is an optional peer
 * dependency (about 30 MB installed): a spec-examples scenario is refused at start or switch, with
 * the package to install named, where it is missing. Answers still go through the pipeline's
 * response validation like every other.
 */
import type { IHttpConfig, IHttpRequest, IHttpResponse, createInstance, getHttpOperationsFromSpec } from '@stoplight/prism-http';
import { doubleError } from '../errors';
import type { EngineRequest, EngineResponse } from '../routes/types';
import { ENGINE_DOCUMENT, type CompiledOperation } from '../spec/contract';
import { DEFAULT_SEED } from './generate';
import type { ScenarioDocument } from './types';
import { missingOptionalPackage } from '../optional-packages';

/** The optional package spec-examples mode runs on. */
export const PRISM_PACKAGE = '@stoplight/prism-http';

/**
 * Refuses a spec-examples scenario when Prism is not installed, before any world changes, naming
 * the package to install; other scenarios pass.
 */
export function requireSpecExamplesSupport(scenario: ScenarioDocument, resolve?: (name: string) => string): void {
  if (scenario.mode !== 'spec-examples') return;
  const missing = missingOptionalPackage(PRISM_PACKAGE, `scenario ${scenario.name} runs in spec-examples mode, which`, resolve);
  if (missing !== undefined) throw doubleError('invalidScenario', { detail: missing, source: { pointer: '/mode' }, meta: { rule: 'optionalDependency', package: PRISM_PACKAGE } });
}

type PrismModule = { createInstance: typeof createInstance; getHttpOperationsFromSpec: typeof getHttpOperationsFromSpec };
type PrismOperation = Awaited<ReturnType<typeof getHttpOperationsFromSpec>>[number];
type PrismLogger = Parameters<typeof createInstance>[1]['logger'];

export interface SpecExampleOptions {
  /** Seed of dynamic examples (DEFAULT_SEED when absent): the same seed gives the same answers. */
  seed?: number;
  /** false (default): Prism's static examples; true: values drawn from the contract's schemas. */
  dynamic?: boolean;
}

/** Answers one request to an engine operation the way Prism would. */
export type SpecExampleResponder = (operation: CompiledOperation, request: EngineRequest) => Promise<EngineResponse>;

interface LoadedPrism {
  prism: PrismModule;
  /** Prism's operations keyed like ours: `METHOD /path/template`. */
  operations: Map<string, PrismOperation>;
}

let loading: Promise<LoadedPrism> | undefined;

const ignore = (): void => undefined;
// Prism's components want a pino Logger but call only these methods; its log lines are noise in a double.
const silentLogger: Record<string, unknown> = { debug: ignore, info: ignore, warn: ignore, error: ignore, success: ignore, trace: ignore, fatal: ignore };
silentLogger.child = () => silentLogger;

/** Prism and its reading of the engine's contract, made once per process on first use. */
function loadPrism(): Promise<LoadedPrism> {
  loading ??= (async () => {
    const prism = require(PRISM_PACKAGE) as PrismModule;
    // Prism's $ref resolver rewrites the document it is given: hand it a copy.
    const operations = await prism.getHttpOperationsFromSpec(structuredClone(ENGINE_DOCUMENT));
    return { prism, operations: new Map(operations.map((op) => [`${op.method.toUpperCase()} ${op.path}`, op])) };
  })();
  return loading;
}

/** The URL Prism routes: the operation's template with the request's path parameters, each one segment. */
function prismPath(operation: CompiledOperation, request: EngineRequest): string {
  return operation.path.replace(/\{([^}]+)\}/g, (_template, name: string) => encodeURIComponent(request.params[name] ?? name));
}

/** Prism writes a binary (format: binary) example as a string; on the wire it is bytes. */
function wireBody(operation: CompiledOperation, output: IHttpResponse): unknown {
  if (output.body === undefined || operation.responseValidators[String(output.statusCode)] !== 'binary') return output.body;
  return Buffer.isBuffer(output.body) ? output.body : Buffer.from(typeof output.body === 'string' ? output.body : JSON.stringify(output.body));
}

function lowerCaseKeys(headers: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

/**
 * A responder for `mode: spec-examples`. Request validation stays the double's (it ran before), so
 * Prism's own request, response and security checks are off; the request's Accept and Prefer
 * headers are not passed on, so every call answers the operation's first documented success.
 */
export function createSpecExampleResponder(options: SpecExampleOptions = {}): SpecExampleResponder {
  const dynamic = options.dynamic ?? false;
  // A fresh config per request: Prism's mocker writes negotiated media types into the config it gets.
  const config = (): IHttpConfig => ({
    mock: dynamic ? { dynamic, seed: String(options.seed ?? DEFAULT_SEED) } : { dynamic },
    validateRequest: false,
    validateResponse: false,
    checkSecurity: false,
    errors: false,
    upstreamProxy: undefined,
    isProxy: false,
  });
  let instance: ReturnType<typeof createInstance> | undefined;
  return async (operation, request) => {
    const { prism, operations } = await loadPrism();
    instance ??= prism.createInstance(config(), { logger: silentLogger as unknown as PrismLogger });
    const resource = operations.get(operation.id);
    if (!resource) throw doubleError('internal', { detail: `Prism found no operation ${operation.id} in the engine's contract` });
    const input: IHttpRequest = { method: resource.method as IHttpRequest['method'], url: { path: prismPath(operation, request) } };
    const result = await instance.request(input, [resource], config())();
    if (result._tag === 'Left') {
      throw doubleError('internal', { detail: `Prism could not answer ${operation.id}: ${result.left.message}`, meta: { operation: operation.id } });
    }
    const { output } = result.right;
    const body = wireBody(operation, output);
    return { status: output.statusCode, headers: lowerCaseKeys(output.headers), ...(body !== undefined ? { body } : {}) };
  };
}
