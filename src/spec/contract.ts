/**
 * The contract, loaded once per process: both documents read, `$ref`s inlined, and one AJV validator
 * per operation for its parameters, its body and each documented response. Each validator is
 * made on its first use and kept; equal schemas (NxApp answers six operations) share one. Made
 * means loaded from the build's precompiled code, or compiled where there is none (validator-pool.ts):
 * compiling all ~34 up front cost 300+ ms of every start for operations a test may never call.
 */
import type { ValidateFunction } from 'ajv';
import engineDocument from '../../spec/qlik-associative-engine-api.json';
import controlDocument from '../../spec/control-api.json';
import {
  dereference,
  isBinarySchema,
  readOperations,
  type JsonSchema,
  type OperationSpec,
  type SwaggerDocument,
  type SwaggerParameter,
} from './operations';
import { ValidatorPool, type PoolName } from './validator-pool';

/** What `make` returns, made on the first call only. */
function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

export interface CompiledOperation extends OperationSpec {
  /**
   * Validates `{path, query, header}` objects of strings, coercing them to the declared types.
   * Absent when the operation declares no parameters: every request passes (unknown query
   * parameters are allowed), so /health answers without an AJV compilation.
   */
  validateParameters?: ValidateFunction;
  /** For JSON bodies; binary bodies (FileData) have no schema to check beyond being bytes. */
  validateBody?: ValidateFunction;
  /** Per documented status: a validator, 'binary' for byte streams, or null where no schema is declared. */
  responseValidators: Record<string, ValidateFunction | 'binary' | null>;
}

// JSON imports are typed from their literal contents; both files are Swagger 2.0 documents.
export const ENGINE_DOCUMENT = engineDocument as unknown as SwaggerDocument;
export const CONTROL_DOCUMENT = controlDocument as unknown as SwaggerDocument;

/** A parameter's own keywords that are not JSON Schema: where it goes, whether it must be sent, how arrays are spelled. */
const PARAMETER_ONLY_KEYWORDS = new Set(['name', 'in', 'required', 'schema', 'allowEmptyValue', 'collectionFormat']);

/**
 * A non-body parameter as the JSON Schema of its value: every constraint it declares (type, format,
 * enum, minimum/maximum, lengths, pattern, items, ...). Swagger 2.0 writes exclusiveMinimum and
 * exclusiveMaximum as booleans beside minimum/maximum (JSON Schema draft 4); AJV wants the number.
 */
export function parameterValueSchema(parameter: SwaggerParameter): JsonSchema {
  const schema: JsonSchema = {};
  for (const [keyword, value] of Object.entries(parameter)) {
    if (!PARAMETER_ONLY_KEYWORDS.has(keyword)) schema[keyword] = value;
  }
  for (const [exclusive, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
    if (typeof schema[exclusive] !== 'boolean') continue;
    if (schema[exclusive] === true) {
      schema[exclusive] = schema[bound];
      delete schema[bound];
    } else {
      delete schema[exclusive];
    }
  }
  return schema;
}

function parameterSchema(parameters: SwaggerParameter[], location: SwaggerParameter['in']): JsonSchema {
  const own = parameters.filter((p) => p.in === location);
  const properties: Record<string, JsonSchema> = {};
  for (const parameter of own) properties[parameter.name] = parameterValueSchema(parameter);
  return { type: 'object', properties, required: own.filter((p) => p.required).map((p) => p.name) };
}

/** The schemas an operation is validated with: the `parameters` pool's, then the `bodies` pool's. */
interface OperationSchemas {
  /** Absent when the operation declares no parameters. */
  parameters?: JsonSchema;
  /** Absent without a body or for a binary one. */
  body?: JsonSchema;
  responses: Record<string, JsonSchema | 'binary' | null>;
}

function operationSchemas(spec: OperationSpec): OperationSchemas {
  const responses: OperationSchemas['responses'] = {};
  for (const [status, { schema }] of Object.entries(spec.responses)) {
    responses[status] = !schema ? null : isBinarySchema(schema) ? 'binary' : schema;
  }
  return {
    ...(spec.parameters.length > 0
      ? {
          parameters: {
            type: 'object',
            properties: {
              path: parameterSchema(spec.parameters, 'path'),
              query: parameterSchema(spec.parameters, 'query'),
              header: parameterSchema(spec.parameters, 'header'),
            },
          },
        }
      : {}),
    ...(spec.body && !isBinarySchema(spec.body.schema) ? { body: spec.body.schema } : {}),
    responses,
  };
}

/** A schema and the pool that compiles it. */
export interface PooledSchema {
  pool: PoolName;
  schema: JsonSchema;
}

export class Contract {
  readonly operations: CompiledOperation[];
  readonly engineOperations: CompiledOperation[];
  private readonly byId: Map<string, CompiledOperation>;
  private readonly pools: Record<'bodies' | 'parameters', ValidatorPool> = { bodies: new ValidatorPool('bodies'), parameters: new ValidatorPool('parameters') };
  private readonly errorResponse: JsonSchema;
  private readonly errorResponseValidator: () => ValidateFunction;
  private readonly definitionValidators = new Map<string, ValidateFunction>();

  constructor(
    private readonly engine: SwaggerDocument = ENGINE_DOCUMENT,
    control: SwaggerDocument = CONTROL_DOCUMENT,
  ) {
    const specs = [...readOperations(engine, 'engine'), ...readOperations(control, 'control')];
    this.operations = specs.map((spec) => this.compileOperation(spec));
    this.engineOperations = this.operations.filter((op) => op.source === 'engine');
    this.byId = new Map(this.operations.map((op) => [op.id, op]));
    this.errorResponse = dereference({ $ref: '#/definitions/ErrorResponse' }, control.definitions ?? {});
    this.errorResponseValidator = once(() => this.pools.bodies.validatorFor(this.errorResponse));
  }

  /** Checks the double's error bodies (ErrorResponse of spec/control-api.json). */
  get validateErrorResponse(): ValidateFunction {
    return this.errorResponseValidator();
  }

  operation(id: string): CompiledOperation {
    const op = this.byId.get(id);
    if (!op) throw new Error(`no operation ${id} in the contract`);
    return op;
  }

  /** A validator for one of the engine's definitions (scenario fixtures are checked with these). */
  definitionValidator(name: string): ValidateFunction {
    let validate = this.definitionValidators.get(name);
    if (!validate) {
      validate = this.pools.bodies.validatorFor(this.definition(name));
      this.definitionValidators.set(name, validate);
    }
    return validate;
  }

  /** Every schema this contract may compile, for the build to compile ahead (src/build/precompile.ts). */
  schemas(): PooledSchema[] {
    const found: PooledSchema[] = [{ pool: 'bodies', schema: this.errorResponse }];
    for (const name of Object.keys(this.engine.definitions ?? {})) found.push({ pool: 'bodies', schema: this.definition(name) });
    for (const { parameters, body, responses } of this.operations.map(operationSchemas)) {
      if (parameters) found.push({ pool: 'parameters', schema: parameters });
      if (body) found.push({ pool: 'bodies', schema: body });
      for (const schema of Object.values(responses)) if (schema && schema !== 'binary') found.push({ pool: 'bodies', schema });
    }
    return found;
  }

  /**
   * The engine's document as this contract read it, every `$ref` inlined, as a fresh copy: what
   * spec-examples mode hands Prism, so Prism translates the same reading instead of resolving the
   * file again (and its resolver, which rewrites what it is given, never touches ours).
   */
  inlinedEngineDocument(): SwaggerDocument {
    const paths = dereference(this.engine.paths as JsonSchema, this.engine.definitions ?? {}) as SwaggerDocument['paths'];
    return { ...this.engine, paths, definitions: {} };
  }

  /** One of the engine's definitions, its `$ref`s inlined. */
  definition(name: string): JsonSchema {
    return dereference({ $ref: `#/definitions/${name}` }, this.engine.definitions ?? {});
  }

  /** The operation with getters that compile (or load) its validators on first read. */
  private compileOperation(spec: OperationSpec): CompiledOperation {
    const { parameters, body, responses } = operationSchemas(spec);
    const validateParameters = parameters ? once(() => this.pools.parameters.validatorFor(parameters)) : undefined;
    const validateBody = body ? once(() => this.pools.bodies.validatorFor(body)) : undefined;
    const responseValidators: CompiledOperation['responseValidators'] = {};
    for (const [status, schema] of Object.entries(responses)) {
      if (schema === null || schema === 'binary') {
        responseValidators[status] = schema;
      } else {
        Object.defineProperty(responseValidators, status, { enumerable: true, get: once(() => this.pools.bodies.validatorFor(schema)) });
      }
    }
    return {
      ...spec,
      get validateParameters() {
        return validateParameters?.();
      },
      get validateBody() {
        return validateBody?.();
      },
      responseValidators,
    };
  }
}

let shared: Contract | undefined;

/** The process-wide contract: every double started in this process shares one compilation. */
export function loadContract(): Contract {
  shared ??= new Contract();
  return shared;
}
