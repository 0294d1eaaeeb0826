/** JSON-RPC framing and parameter binding against the schema's parameter lists. */
import { ENGINE_VERSION } from '../../../src/routes/health';
import { answerFrame, bindParams, parseRequest } from '../../../src/qix/rpc';
import { qixSurface } from '../../../src/qix/schema';

const surface = qixSurface(ENGINE_VERSION);
const openDoc = surface.classes.Global!.OpenDoc!;

it('binds parameters by position and by name, filling optional ones with the schema default', () => {
  expect(bindParams('OpenDoc', openDoc, ['app'])).toEqual({ qDocName: 'app', qUserName: '', qPassword: '', qSerial: '', qNoData: false });
  expect(bindParams('OpenDoc', openDoc, { qDocName: 'app', qNoData: true })).toMatchObject({ qDocName: 'app', qNoData: true });
});

it('refuses missing, unknown, extra and mistyped parameters with LOCERR_JSON_RPC_INVALID_PARAMETERS', () => {
  for (const params of [[], { qDocName: 'a', qNope: 1 }, ['a', '', '', '', false, 'extra'], [42]]) {
    expect(() => bindParams('OpenDoc', openDoc, params)).toThrow(expect.objectContaining({ codeName: 'LOCERR_JSON_RPC_INVALID_PARAMETERS', violation: true }));
  }
});

it('reads requests and refuses what is not one, keeping the id when it can be read', () => {
  expect(parseRequest('{"jsonrpc":"2.0","id":3,"handle":-1,"method":"EngineVersion","params":[],"delta":true}')).toEqual({
    id: 3,
    answered: true,
    handle: -1,
    method: 'EngineVersion',
    params: [],
    delta: true,
  });
  expect(parseRequest('{"handle":-1,"method":"EngineVersion"}')).toMatchObject({ answered: false, params: [] });
  expect(() => parseRequest('{')).toThrow(expect.objectContaining({ codeName: 'LOCERR_JSON_RPC_PARSE_ERROR', requestId: null }));
  expect(() => parseRequest('{"id":9,"handle":"x","method":"M"}')).toThrow(expect.objectContaining({ codeName: 'LOCERR_JSON_RPC_INVALID_REQUEST', requestId: 9 }));
  expect(() => parseRequest('{"id":9,"jsonrpc":"1.0","handle":-1,"method":"M"}')).toThrow(expect.objectContaining({ codeName: 'LOCERR_JSON_RPC_INVALID_REQUEST' }));
});

it('answers in the delta protocol as one patch per result member', () => {
  expect(JSON.parse(answerFrame(1, { result: { qLayout: { a: 1 } }, change: [1] }, true))).toEqual({
    jsonrpc: '2.0',
    id: 1,
    delta: true,
    result: { qLayout: [{ op: 'add', path: '/', value: { a: 1 } }] },
    change: [1],
  });
});
