import { loadContract } from '../../src/spec/contract';
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
