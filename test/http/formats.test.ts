/**
 * Every format and enum of the engine's published spec is in spec/qlik-associative-engine-api.json
 * and enforced both ways: in what the double is sent (imports, scenarios) and in what it or a live
 * engine answers (strict mode's 500, `check`).
 */
import type { ServerResponse } from 'node:http';
import { startEngineDouble } from '../../src/index';
import { runCheck } from '../../src/check/runner';
import { ENGINE_DOCUMENT, loadContract } from '../../src/spec/contract';
import { scenarioProblems } from '../../src/scenarios/validate';
import type { JsonSchema } from '../../src/spec/operations';
import { errorsOf } from '../support/double';
import { localServer, type SeenRequest } from '../support/local-server';
import { rawRequest } from '../support/raw-http';

/** The published spec's formats, field by field, and its enums (taken from the published Swagger file). */
const FORMATS: Record<string, Record<string, string[]>> = {
  'date-time': { NxAttributes: ['lastReloadTime', 'createdDate', 'modifiedDate', 'publishTime'] },
  double: { MemoryUsage: ['committed', 'allocated', 'free'], CPUUsage: ['total'] },
  int32: {
    SessionUsage: ['active', 'total'],
    AppUsage: ['calls', 'selections'],
    UserUsage: ['active', 'total'],
    CacheUsage: ['hits', 'lookups', 'added', 'replaced', 'bytes_added'],
    Session: ['ttl'],
    HardwareMeta: ['logical_cores'],
    FieldMetadata: ['cardinal'],
    TableMetadata: ['no_of_fields', 'no_of_key_fields'],
  },
  int64: {
    DataModelMetadata: ['static_byte_size'],
    LastReloadMetadata: ['cpu_time_spent_ms'],
    HardwareMeta: ['total_memory'],
    FieldMetadata: ['total_count', 'byte_size'],
    TableMetadata: ['no_of_rows', 'byte_size'],
  },
  binary: { FileData: [''] },
};

const definitions = ENGINE_DOCUMENT.definitions as Record<string, JsonSchema & { properties?: Record<string, JsonSchema> }>;
const every = Object.entries(FORMATS).flatMap(([format, byDefinition]) =>
  Object.entries(byDefinition).flatMap(([definition, fields]) => fields.map((field) => ({ format, definition, field }))),
);

/** A value that breaks the format, and one at its edge that keeps it. */
const BREAKS: Record<string, { bad: unknown[]; good: unknown[] }> = {
  'date-time': { bad: ['yesterday', '2024-05-01', '2024-05-01T12:00:00', 5], good: ['2024-05-01T12:00:00.000Z', '2024-05-01T12:00:00+02:00', ''] },
  double: { bad: ['1.5'], good: [1.5, 0, -3] },
  int32: { bad: [2 ** 31, -(2 ** 31) - 1, 1.5, '1'], good: [2 ** 31 - 1, -(2 ** 31), 0] },
  int64: { bad: [2 ** 63, -(2 ** 64), 1.5, '1'], good: [2 ** 53, -(2 ** 53), 0] },
};

describe('the formats and enums of the published spec', () => {
  it.each(every.map(({ format, definition, field }) => [format, `${definition}${field ? `.${field}` : ''}`, definition, field]))(
    '%s on %s is in spec/ and enforced',
    (format, _label, definition, field) => {
      const schema = field ? definitions[definition]!.properties![field]! : definitions[definition]!;
      expect(schema.format).toBe(format);
      if (format === 'binary') return;
      const validate = loadContract().definitionValidator(definition);
      for (const value of BREAKS[format]!.bad) expect({ value, valid: validate({ [field]: value }) }).toEqual({ value, valid: false });
      for (const value of BREAKS[format]!.good) expect({ value, valid: validate({ [field]: value }) }).toEqual({ value, valid: true });
    },
  );

  it('has no format the list above leaves out', () => {
    const found = Object.entries(definitions).flatMap(([name, schema]) =>
      Object.entries(schema.properties ?? {}).filter(([, p]) => p.format !== undefined).map(([field, p]) => `${p.format} ${name}.${field}`),
    );
    expect(found.sort()).toEqual(every.filter((f) => f.field).map((f) => `${f.format} ${f.definition}.${f.field}`).sort());
  });

  it('has the two enums: the items of GET /v1/apps/privileges and Session.state', () => {
    expect(definitions.Session!.properties!.state!.enum).toEqual(['active', 'stalled']);
    const privileges = loadContract().operation('GET /v1/apps/privileges');
    expect(privileges.responses['200']!.schema).toMatchObject({ items: { enum: ['can_create_app', 'can_import_app'] } });
    const validate = privileges.responseValidators['200'] as (value: unknown) => boolean;
    expect([validate(['can_create_app']), validate(['can_delete_app'])]).toEqual([true, false]);
    expect(loadContract().definitionValidator('Session')({ state: 'sleeping' })).toBe(false);
  });

  it('refuses scenarios that break them', () => {
    const details = scenarioProblems(
      {
        name: 'bad',
        apps: [{ attributes: { publishTime: 'soon' }, dataModel: { static_byte_size: 2 ** 64, tables: [{ no_of_fields: 2 ** 31 }] } }],
        sessions: [{ ttl: 1.5, state: 'gone' }],
      },
      'x.yaml',
    ).map((p) => `${p.source?.pointer} ${String(p.meta?.rule)}`);
    expect(details).toEqual(
      expect.arrayContaining([
        '/apps/0/attributes/publishTime format',
        '/apps/0/dataModel/static_byte_size format',
        '/apps/0/dataModel/tables/0/no_of_fields format',
        '/sessions/0/ttl type',
        '/sessions/0/state enum',
      ]),
    );
  });

  it('are never served: strict mode turns an answer that breaks them into a 500 naming the rule', async () => {
    const engine = await startEngineDouble({
      log: () => undefined,
      routes: {
        'GET /sessions': () => ({ status: 200, body: [{ sessionid: 's', ttl: 2 ** 31, state: 'active' }] }),
        'GET /v1/apps/privileges': () => ({ status: 200, body: ['can_delete_app'] }),
        'GET /v1/apps/{appId}': () => ({ status: 200, body: { attributes: { id: 'a', createdDate: 'yesterday' }, privileges: [], create: [] } }),
      },
    });
    try {
      for (const [path, rule] of [['/sessions', 'format'], ['/v1/apps/privileges', 'enum'], ['/v1/apps/a', 'format']] as const) {
        const res = await rawRequest(engine.url, 'GET', path);
        expect(res.status).toBe(500);
        expect(errorsOf(res.json())[0]).toMatchObject({ code: 'RESPONSE_CONTRACT_VIOLATION', meta: { rule } });
      }
    } finally {
      await engine.close();
    }
  });
});

describe('check against a live server that breaks a format', () => {
  /** Answers like an engine, except for a non-date in a date-time field and a counter beyond int32. */
  function looseEngine(req: SeenRequest, res: ServerResponse): void {
    const json = (body: unknown) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(body));
    };
    if (req.url === '/health') return json({});
    if (req.url === '/healthcheck') return json({ version: '12.268.0', started: '20180216T094833.000Z', session: { active: 2 ** 31, total: 1 } });
    if (req.url === '/sessions') return json([]);
    if (req.url === '/v1/apps/privileges') return json(['can_create_app']);
    res.statusCode = 404;
    res.end();
  }

  it('fails the calls and names the field and the format', async () => {
    const server = await localServer(looseEngine);
    try {
      const result = await runCheck({ baseUrl: server.url, timeoutMs: 5000 });
      const healthcheck = result.calls.find((call) => call.operationId === 'GET /healthcheck')!;
      expect(healthcheck.outcome).toBe('fail');
      expect(healthcheck.problems).toEqual([expect.objectContaining({ rule: 'format', detail: expect.stringContaining('/session/active') })]);
    } finally {
      await server.close();
    }
  });

  it('flags a non-date in a date-time field of an app answer', async () => {
    const engine = await startEngineDouble({
      log: () => undefined,
      validation: 'warn',
      routes: { 'POST /v1/apps': () => ({ status: 200, body: { attributes: { id: 'a', name: 'x', modifiedDate: 'now-ish' }, privileges: [], create: [] } }) },
    });
    try {
      const result = await runCheck({ baseUrl: engine.url, mutating: true, timeoutMs: 5000 });
      const created = result.calls.find((call) => call.operationId === 'POST /v1/apps')!;
      expect(created.outcome).toBe('fail');
      expect(created.problems).toEqual(expect.arrayContaining([expect.objectContaining({ rule: 'format', detail: expect.stringContaining('/attributes/modifiedDate') })]));
    } finally {
      await engine.close();
    }
  });
});
