/**
 * The contract, loaded and compiled once per process: both documents read, `$ref`s inlined, and one
 * AJV validator compiled per operation for its parameters, its body and each documented response.
 * Requests only look validators up.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
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

export interface CompiledOperation extends OperationSpec {
  /** Validates `{path, query, header}` objects of strings, coercing them to the declared types. */
  validateParameters: ValidateFunction;
  /** For JSON bodies; binary bodies (FileData) have no schema to check beyond being bytes. */
  validateBody?: ValidateFunction;
  /** Per documented status: a validator, 'binary' for byte streams, or null where no schema is declared. */
  responseValidators: Record<string, ValidateFunction | 'binary' | null>;
}

// JSON imports are typed from their literal contents; both files are Swagger 2.0 documents.
export const ENGINE_DOCUMENT = engineDocument as unknown as SwaggerDocument;
export const CONTROL_DOCUMENT = controlDocument as unknown as SwaggerDocument;

function newAjv(coerceTypes: boolean): Ajv {
  // strict: false because Swagger 2.0 schemas carry annotations AJV does not know (x-*, discriminator).
  const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes });
  addFormats(ajv);
  ajv.addFormat('binary', true);
  return ajv;
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
  readonly validateErrorResponse: ValidateFunction;
  private readonly byId: Map<string, CompiledOperation>;
  private readonly bodyAjv = newAjv(false);
  private readonly definitionValidators = new Map<string, ValidateFunction>();

  constructor(
    private readonly engine: SwaggerDocument = ENGINE_DOCUMENT,
    control: SwaggerDocument = CONTROL_DOCUMENT,
  ) {
    const parameterAjv = newAjv(true);
    const specs = [...readOperations(engine, 'engine'), ...readOperations(control, 'control')];
    this.operations = specs.map((spec) => this.compileOperation(spec, parameterAjv));
    this.engineOperations = this.operations.filter((op) => op.source === 'engine');
    this.byId = new Map(this.operations.map((op) => [op.id, op]));
    this.validateErrorResponse = this.bodyAjv.compile(
      dereference({ $ref: '#/definitions/ErrorResponse' }, control.definitions ?? {}),
    );
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
      validate = this.bodyAjv.compile(dereference({ $ref: `#/definitions/${name}` }, this.engine.definitions ?? {}));
      this.definitionValidators.set(name, validate);
    }
    return validate;
  }

  private compileOperation(spec: OperationSpec, parameterAjv: Ajv): CompiledOperation {
    const validateParameters = parameterAjv.compile({
      type: 'object',
      properties: {
        path: parameterSchema(spec.parameters, 'path'),
        query: parameterSchema(spec.parameters, 'query'),
        header: parameterSchema(spec.parameters, 'header'),
      },
    });
    const validateBody = spec.body && !isBinarySchema(spec.body.schema) ? this.bodyAjv.compile(spec.body.schema) : undefined;
    const responseValidators: CompiledOperation['responseValidators'] = {};
    for (const [status, response] of Object.entries(spec.responses)) {
      const { schema } = response;
      responseValidators[status] = !schema ? null : isBinarySchema(schema) ? 'binary' : this.bodyAjv.compile(schema);
    }
    return { ...spec, validateParameters, ...(validateBody ? { validateBody } : {}), responseValidators };
  }
}

let shared: Contract | undefined;

/** The process-wide contract: every double started in this process shares one compilation. */
export function loadContract(): Contract {
  shared ??= new Contract();
  return shared;
}
