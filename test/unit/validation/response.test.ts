import { loadContract } from '../../../src/spec/contract';
import { contentTypeMatches, observedResponseProblems, responseProblems, type ObservedResponse } from '../../../src/validation/response';

const contract = loadContract();

function judge(operationId: string, observed: Partial<ObservedResponse> & { json?: unknown }) {
  const bytes = observed.json !== undefined ? Buffer.from(JSON.stringify(observed.json)) : (observed.bytes ?? Buffer.alloc(0));
  const contentType = 'contentType' in observed ? observed.contentType : observed.json !== undefined ? 'application/json' : undefined;
  const problems = observedResponseProblems(contract, contract.operation(operationId), { status: observed.status ?? 200, contentType, bytes }, { undocumentedErrors: 'problem' });
  return problems.map(({ detail, meta }) => ({ rule: meta?.rule, detail }));
}

describe("observedResponseProblems (a live engine's answers)", () => {
  it('accepts an answer with a documented status, a body the schema accepts and a JSON Content-Type', () => {
    expect(judge('GET /v1/apps/privileges', { json: ['can_create_app'] })).toEqual([]);
    expect(judge('GET /healthcheck', { json: { version: '12.268.0' }, contentType: 'application/json; charset=utf-8' })).toEqual([]);
  });

  it('names the schema keyword and the pointer of each body problem', () => {
    expect(judge('GET /healthcheck', { json: { version: 12, saturated: 'no' } })).toEqual([
      { rule: 'type', detail: 'GET /healthcheck 200 body/version must be string' },
      { rule: 'type', detail: 'GET /healthcheck 200 body/saturated must be boolean' },
    ]);
  });

  it('reports a success status the operation does not document', () => {
    expect(judge('GET /sessions', { status: 204 })).toEqual([{ rule: 'status', detail: 'GET /sessions 204: status 204 is not documented (documented: 200)' }]);
  });

  it('fails an undocumented error answer, quoting the start of its body', () => {
    expect(judge('GET /sessions', { status: 503, bytes: Buffer.from('down\nfor   maintenance') })).toEqual([
      { rule: 'error-status', detail: "GET /sessions answered 503, an error the engine's contract does not document (a healthy call should not get one): down for maintenance" },
    ]);
  });

  it('accepts a documented error answer whatever its body and Content-Type', () => {
    expect(judge('GET /v1/apps/{appId}/media/thumbnail', { status: 404, bytes: Buffer.from('<html>nope</html>'), contentType: 'text/html' })).toEqual([]);
  });

  it('reports a body that is not JSON, or empty, where the contract documents a schema', () => {
    expect(judge('GET /sessions', { bytes: Buffer.from('<html>'), contentType: 'application/json' })).toEqual([{ rule: 'json', detail: 'GET /sessions 200: the body is not JSON: <html>' }]);
    expect(judge('GET /sessions', {})).toEqual([{ rule: 'json', detail: 'GET /sessions 200: the body is empty, but the contract documents a JSON schema for it' }]);
  });

  it('reports a Content-Type the operation does not produce, or none, for a body', () => {
    expect(judge('GET /sessions', { json: [], contentType: 'text/plain' })).toEqual([
      { rule: 'content-type', detail: 'GET /sessions 200: Content-Type text/plain is not one it produces (application/json)' },
    ]);
    expect(judge('GET /sessions', { json: [], contentType: undefined })).toEqual([
      { rule: 'content-type', detail: 'GET /sessions 200: a body without a Content-Type (produces application/json)' },
    ]);
  });

  it('takes any bytes and any Content-Type for a binary answer, and no body where no schema is documented', () => {
    expect(judge('GET /v1/apps/{appId}/media/files/{path}', { bytes: Buffer.from([0, 255]), contentType: 'image/png' })).toEqual([]);
    expect(judge('GET /health', {})).toEqual([]);
  });
});

describe('one judge for the double and a live engine', () => {
  const rules = (problems: { meta?: Record<string, unknown> }[]) => problems.map(({ meta }) => meta?.rule);

  it("judges the double's own bytes by the Content-Type its writer will send, as it judges the engine's", () => {
    const op = contract.operation('GET /sessions');
    expect(rules(responseProblems(contract, op, { status: 200, body: [] }))).toEqual([]);
    // A stub that answers bytes as text/plain where the operation produces JSON: the same rule as for a live engine.
    const stubbed = responseProblems(contract, op, { status: 200, body: Buffer.from('[]'), headers: { 'Content-Type': 'text/plain' } });
    expect(stubbed.map(({ detail, meta }) => ({ rule: meta?.rule, detail }))).toContainEqual({
      rule: 'content-type',
      detail: 'GET /sessions 200: Content-Type text/plain is not one it produces (application/json)',
    });
    expect(observedResponseProblems(contract, op, { status: 200, contentType: 'text/plain', bytes: Buffer.from('[]') }, { undocumentedErrors: 'problem' }).map(({ detail }) => detail)).toContain(
      'GET /sessions 200: Content-Type text/plain is not one it produces (application/json)',
    );
    const media = contract.operation('GET /v1/apps/{appId}/media/files/{path}');
    expect(responseProblems(contract, media, { status: 200, body: Buffer.from([1]), headers: { 'content-type': 'image/png' } })).toEqual([]);
  });

  it("demands the double's ErrorResponse shape of its own errors only; the proxy accepts an engine's undocumented error", () => {
    const op = contract.operation('GET /sessions');
    expect(rules(responseProblems(contract, op, { status: 404, body: { oops: true } }))).toContain('required');
    expect(observedResponseProblems(contract, op, { status: 404, contentType: 'text/html', bytes: Buffer.from('<html>') }, { undocumentedErrors: 'accepted' })).toEqual([]);
    expect(rules(observedResponseProblems(contract, op, { status: 404, contentType: 'text/html', bytes: Buffer.from('<html>') }, { undocumentedErrors: 'problem' }))).toEqual(['error-status']);
  });
});

describe('contentTypeMatches', () => {
  it.each([
    ['application/json', ['application/json'], true],
    ['Application/JSON; charset=utf-8', ['application/json'], true],
    ['application/problem+json', ['application/json'], true],
    ['image/png', ['application/octet-stream'], true],
    ['text/plain', ['application/json'], false],
    ['application/jsonp', ['application/json'], false],
  ])('%s against %j is %s', (contentType, produces, expected) => {
    expect(contentTypeMatches(contentType, produces)).toBe(expected);
  });
});
