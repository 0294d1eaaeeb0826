/**
 * The contract, loaded once per process: both documents read, `$ref`s inlined, and one AJV validator
 * per operation for its parameters, its body and each documented response. Each validator is
 * compiled on its first use and kept; equal schemas (NxApp answers six operations) share one
 * compilation. Compiling all ~34 up front cost 300+ ms of every start for operations a test may
 * never call.
 */
import type Ajv from 'ajv';
import type { Options as AjvOptions, ValidateFunction } from 'ajv';
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

/** What `make` returns, made on the first call only. */
function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

/**
 * One compilation per distinct schema (by its JSON text), shared by every operation that uses it.
 * The AJV instance is made on the first compilation, so a process that validates nothing never
 * loads AJV at all.
 */
class ValidatorPool {
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly ajv: () => Ajv;

  constructor(coerceTypes: boolean) {
    this.ajv = once(() => newContractAjv(coerceTypes));
  }

  validatorFor(schema: JsonSchema): ValidateFunction {
    const key = JSON.stringify(schema);
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv().compile(schema);
      this.compiled.set(key, validate);
    }
    return validate;
  }
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

/** An AJV instance with ajv-formats. Required here, not imported: AJV takes ~40 ms to load, paid only once something is compiled. */
export function newAjv(options: AjvOptions): Ajv {
  const { default: AjvClass } = require('ajv') as typeof import('ajv');
  const { default: addFormats } = require('ajv-formats') as typeof import('ajv-formats');
  const ajv = new AjvClass(options);
  addFormats(ajv);
  return ajv;
}

function newContractAjv(coerceTypes: boolean): Ajv {
  // strict: false because Swagger 2.0 schemas carry annotations AJV does not know (x-*, discriminator).
  return newAjv({ allErrors: true, strict: false, coerceTypes }).addFormat('binary', true);
}

function parameterSchema(parameters: SwaggerParameter[], location: SwaggerParameter['in']): JsonSchema {
  const own = parameters.filter((p) => p.in === location);
  const properties: Record<string, JsonSchema> = {};
  for (const { name, type, enum: allowed, description } of own) {
    properties[name] = { ...(type ? { type } : {}), ...(allowed ? { enum: allowed } : {}), ...(description ? { description } : {}) };
  }
  return { type: 'object', properties, required: own.filter((p) => p.required).map((p) => p.name) };
}

export class Contract {
  readonly operations: CompiledOperation[];
  readonly engineOperations: CompiledOperation[];
  private readonly byId: Map<string, CompiledOperation>;
  private readonly bodyValidators = new ValidatorPool(false);
  private readonly parameterValidators = new ValidatorPool(true);
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
    const errorResponse = dereference({ $ref: '#/definitions/ErrorResponse' }, control.definitions ?? {});
    this.errorResponseValidator = once(() => this.bodyValidators.validatorFor(errorResponse));
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
      validate = this.bodyValidators.validatorFor(dereference({ $ref: `#/definitions/${name}` }, this.engine.definitions ?? {}));
      this.definitionValidators.set(name, validate);
    }
    return validate;
  }

  /** The operation with getters that compile its validators on first read. */
  private compileOperation(spec: OperationSpec): CompiledOperation {
    const validateParameters = spec.parameters.length === 0 ? undefined : once(() =>
      this.parameterValidators.validatorFor({
        type: 'object',
        properties: {
          path: parameterSchema(spec.parameters, 'path'),
          query: parameterSchema(spec.parameters, 'query'),
          header: parameterSchema(spec.parameters, 'header'),
        },
      }),
    );
    const bodySchema = spec.body && !isBinarySchema(spec.body.schema) ? spec.body.schema : undefined;
    const validateBody = bodySchema ? once(() => this.bodyValidators.validatorFor(bodySchema)) : undefined;
    const responseValidators: CompiledOperation['responseValidators'] = {};
    for (const [status, { schema }] of Object.entries(spec.responses)) {
      if (!schema || isBinarySchema(schema)) {
        responseValidators[status] = schema ? 'binary' : null;
      } else {
        Object.defineProperty(responseValidators, status, { enumerable: true, get: once(() => this.bodyValidators.validatorFor(schema)) });
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
