/**
 * Reads a Swagger 2.0 document into a flat list of operations with every `$ref` inlined, so the
 * rest of the double never walks the document again. Pure: documents in, operations out.
 */

/** The subset of JSON Schema (as Swagger 2.0 writes it) the double's documents use. */
export interface JsonSchema {
  $ref?: string;
  type?: string;
  format?: string;
  description?: string;
  enum?: string[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  [keyword: string]: unknown;
}

export interface SwaggerParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'body';
  description?: string;
  required?: boolean;
  type?: string;
  enum?: string[];
  schema?: JsonSchema;
  /** The value's constraints (format, minimum, maxLength, pattern, items, ...): JSON Schema keywords. */
  [keyword: string]: unknown;
}

export interface SwaggerResponse {
  description: string;
  schema?: JsonSchema;
}

export interface SwaggerOperation {
  description?: string;
  consumes?: string[];
  produces?: string[];
  parameters?: SwaggerParameter[];
  responses: Record<string, SwaggerResponse>;
  'x-qlik-permission'?: string;
  'x-qlik-stability'?: string;
}

export interface SwaggerDocument {
  swagger: '2.0';
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, SwaggerOperation>>;
  definitions?: Record<string, JsonSchema>;
}

export type ContractSource = 'engine' | 'control';

export interface OperationSpec {
  /** `METHOD /path/template`, e.g. `GET /v1/apps/{appId}`: the contract has no operationIds. */
  id: string;
  source: ContractSource;
  method: string;
  path: string;
  consumes: string[];
  produces: string[];
  /** Path, query and header parameters. */
  parameters: SwaggerParameter[];
  body?: { name: string; required: boolean; schema: JsonSchema };
  responses: Record<string, SwaggerResponse>;
  permission?: string;
  stability?: string;
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);
const LOCAL_REF = /^#\/definitions\/(.+)$/;

/** Inlines every `#/definitions/X` reference; siblings of a `$ref` (its description) are kept. */
export function dereference(schema: JsonSchema, definitions: Record<string, JsonSchema>, seen: string[] = []): JsonSchema {
  const resolved: JsonSchema = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (keyword === '$ref') continue;
    resolved[keyword] = dereferenceValue(value, definitions, seen);
  }
  if (typeof schema.$ref !== 'string') return resolved;
  const name = LOCAL_REF.exec(schema.$ref)?.[1];
  const target = name === undefined ? undefined : definitions[name];
  if (name === undefined || target === undefined) throw new Error(`unresolvable $ref ${schema.$ref}`);
  if (seen.includes(name)) throw new Error(`circular $ref ${[...seen, name].join(' -> ')}`);
  return { ...dereference(target, definitions, [...seen, name]), ...resolved };
}

function dereferenceValue(value: unknown, definitions: Record<string, JsonSchema>, seen: string[]): unknown {
  if (Array.isArray(value)) return value.map((item) => dereferenceValue(item, definitions, seen));
  if (value !== null && typeof value === 'object') return dereference(value as JsonSchema, definitions, seen);
  return value;
}

export function readOperations(doc: SwaggerDocument, source: ContractSource): OperationSpec[] {
  const definitions = doc.definitions ?? {};
  const operations: OperationSpec[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!HTTP_METHODS.has(method)) continue;
      const parameters = (op.parameters ?? []).map((p) => (p.schema ? { ...p, schema: dereference(p.schema, definitions) } : p));
      const bodyParameter = parameters.find((p) => p.in === 'body');
      const responses = Object.fromEntries(
        Object.entries(op.responses).map(([status, r]) => [status, r.schema ? { ...r, schema: dereference(r.schema, definitions) } : r]),
      );
      operations.push({
        id: `${method.toUpperCase()} ${path}`,
        source,
        method: method.toUpperCase(),
        path,
        consumes: op.consumes ?? [],
        produces: op.produces ?? [],
        parameters: parameters.filter((p) => p.in !== 'body'),
        ...(bodyParameter?.schema
          ? { body: { name: bodyParameter.name, required: bodyParameter.required === true, schema: bodyParameter.schema } }
          : {}),
        responses,
        ...(op['x-qlik-permission'] ? { permission: op['x-qlik-permission'] } : {}),
        ...(op['x-qlik-stability'] ? { stability: op['x-qlik-stability'] } : {}),
      });
    }
  }
  return operations;
}

/** True for `type: string, format: binary` (FileData, media downloads): bytes, not JSON. */
export function isBinarySchema(schema: JsonSchema | undefined): boolean {
  return schema?.type === 'string' && schema.format === 'binary';
}
