import { Contract, CONTROL_DOCUMENT, loadContract, parameterValueSchema } from '../../src/spec/contract';
import type { SwaggerDocument } from '../../src/spec/operations';
import { DoubleRuntime, engineRoutes } from '../../src/server';
import { controlRoutes } from '../../src/control/routes';

describe('the contract in spec/', () => {
  const contract = loadContract();

  it('holds the 18 operations of the engine, version 12.268.0', () => {
    expect(contract.engineOperations).toHaveLength(18);
    expect(new Set(contract.engineOperations.map((op) => op.id)).size).toBe(18);
  });

  it('inlines every $ref so validators need no document', () => {
    expect(JSON.stringify(contract.operations)).not.toContain('$ref');
    expect(contract.operation('POST /v1/apps').body?.schema.properties?.attributes?.properties?.name).toEqual({
      type: 'string',
      description: 'The name (title) of the application',
    });
  });

  it('keeps every constraint a parameter declares, and enforces it', () => {
    const parameterRules = (id: string, values: object) => {
      const validate = contract.operation(id).validateParameters!;
      return validate({ path: {}, query: {}, header: {}, ...values }) ? [] : validate.errors!.map((e) => `${e.instancePath} ${e.keyword}`);
    };
    expect(parameterRules('GET /__control/journal', { query: { limit: '0' } })).toEqual(['/query/limit minimum']);
    expect(parameterRules('GET /__control/journal', { query: { limit: '3' } })).toEqual([]);
    expect(parameterRules('GET /__control/events', { query: { since: '-1' } })).toEqual(['/query/since minimum']);
    expect(parameterRules('GET /__control/journal', { header: { 'x-engine-double-namespace': 'n'.repeat(65) } })).toEqual(['/header/x-engine-double-namespace maxLength']);
  });

  it("reads Swagger 2.0's boolean exclusiveMinimum/Maximum, patterns, formats and items as JSON Schema", () => {
    expect(parameterValueSchema({ name: 'n', in: 'query', type: 'integer', minimum: 0, exclusiveMinimum: true, maximum: 9, exclusiveMaximum: false })).toEqual({
      type: 'integer',
      exclusiveMinimum: 0,
      maximum: 9,
    });
    const document: SwaggerDocument = {
      swagger: '2.0',
      info: { title: 't', version: '1' },
      paths: {
        '/things/{id}': {
          get: {
            parameters: [
              { name: 'id', in: 'path', required: true, type: 'string', pattern: '^[a-z]+$', minLength: 2 },
              { name: 'when', in: 'query', type: 'string', format: 'date-time' },
              { name: 'tags', in: 'query', type: 'array', items: { type: 'string', enum: ['a', 'b'] }, maxItems: 2, collectionFormat: 'multi' },
            ],
            responses: { '200': { description: 'ok' } },
          },
        },
      },
    };
    const validate = new Contract(document, { ...CONTROL_DOCUMENT, paths: {} }).operation('GET /things/{id}').validateParameters!;
    const rules = (values: object) => (validate({ path: { id: 'ok' }, query: {}, header: {}, ...values }) ? [] : validate.errors!.map((e) => `${e.instancePath} ${e.keyword}`));
    expect(rules({})).toEqual([]);
    expect(rules({ path: { id: 'A' } })).toEqual(['/path/id minLength', '/path/id pattern']);
    expect(rules({ query: { when: 'tomorrow' } })).toEqual(['/query/when format']);
    expect(rules({ query: { tags: ['a', 'c', 'b'] } })).toEqual(['/query/tags maxItems', '/query/tags/1 enum']);
  });

  it("hands spec-examples mode (Prism) its own reading: references inlined, a copy Prism may rewrite", () => {
    const first = contract.inlinedEngineDocument();
    expect(JSON.stringify(first)).not.toContain('$ref');
    expect(first.paths['/v1/apps/{appId}']?.get?.responses['200']?.schema).toEqual(contract.operation('GET /v1/apps/{appId}').responses['200']?.schema);
    (first.paths['/v1/apps/{appId}']!.get!.responses['200']!.schema as { type?: string }).type = 'rewritten';
    expect(contract.inlinedEngineDocument().paths['/v1/apps/{appId}']?.get?.responses['200']?.schema?.type).toBe('object');
    expect(contract.operation('GET /v1/apps/{appId}').responses['200']?.schema?.type).toBe('object');
  });

  it('compiles a validator for every documented response with a JSON schema', () => {
    const op = contract.operation('GET /v1/apps/{appId}/media/files/{path}');
    expect(op.responseValidators).toEqual({ '200': 'binary', '404': null });
    expect(typeof contract.operation('GET /sessions').responseValidators['200']).toBe('function');
  });

  it('gives every engine operation a route, and no route lacks an operation', () => {
    const routed = [...Object.keys(engineRoutes), ...Object.keys(controlRoutes)].sort();
    expect(routed).toEqual(contract.operations.map((op) => op.id).sort());
  });

  it('refuses a handler override for an operation the contract does not have', () => {
    expect(() => new DoubleRuntime({ routes: { ['GET /v1/apps' as 'GET /health']: () => ({ status: 200 }) } })).toThrow(
      'routes: GET /v1/apps is not an operation of the contract',
    );
  });
});
