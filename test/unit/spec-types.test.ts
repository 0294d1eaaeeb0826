import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { SPEC_MODULES, specModuleOf, specModuleText, type SpecModule } from '../../src/build/spec-module';
import type { JournalEntry, JournalSearch } from '../../src/control/journal';
import type { ScenarioDocument } from '../../src/scenarios/types';
import type {
  ActiveFaultRule,
  CatalogEntry,
  ControlOperationId,
  CurrentScenario,
  DataModelMetadata,
  EngineOperationId,
  FaultList,
  FaultRuleInput,
  FieldMetadata,
  FileData,
  HardwareMeta,
  JournalMatcher,
  JsonObject,
  NxApp,
  NxAttributes,
  PublishApp,
  RequestInputs,
  RequestMatcher,
  ResponseOf,
  ScenarioCatalog,
  Session,
  StubInput,
  StubList,
  UpdateApp,
  ValueMatcher,
} from '../../src/spec/types';

/** true when A and B are the same type. */
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

const ROOT = path.join(__dirname, '..', '..');
type Swagger = { paths: Record<string, Record<string, unknown>>; definitions: Record<string, { properties: Record<string, unknown>; required?: string[] }> };

/**
 * The type errors tsc reports in `files` (paths under the repository) when src/spec's literal
 * modules are generated from edited copies of their specs, as `npm run spec-module` would after
 * those edits; nothing on disk changes.
 */
function typeErrorsAfter(edits: ReadonlyMap<SpecModule, (spec: Swagger) => void>, files: string[]): string[] {
  const generated = new Map(
    [...edits].map(([specModule, edit]) => {
      const spec = JSON.parse(fs.readFileSync(path.join(ROOT, 'spec', specModule.spec), 'utf8')) as Swagger;
      edit(spec);
      return [path.join(ROOT, 'src', 'spec', specModule.module), specModuleText(spec as unknown as Record<string, unknown>, specModule)];
    }),
  );
  const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.build.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const host = ts.createCompilerHost(config.options);
  const readFile = host.readFile.bind(host);
  host.readFile = (file) => generated.get(path.resolve(file)) ?? readFile(file);
  const program = ts.createProgram(files.map((file) => path.join(ROOT, file)), config.options, host);
  return files.flatMap((file) =>
    program.getSemanticDiagnostics(program.getSourceFile(path.join(ROOT, file))).map((d) => {
      const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
      return `${file}:${line}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
    }),
  );
}
const [ENGINE_MODULE, CONTROL_MODULE] = SPEC_MODULES as [SpecModule, SpecModule];

describe('the types derived from the spec (src/spec/types.ts)', () => {
  it.each(SPEC_MODULES.map((specModule) => [specModule.module, specModule.spec, specModule]))(
    'read the spec as it is: src/spec/%s is the current spec/%s (else run `npm run spec-module`)',
    (module, _spec, specModule) => {
      expect(fs.readFileSync(path.join(ROOT, 'src', 'spec', module), 'utf8')).toBe(specModuleOf(specModule, ROOT));
    },
  );

  // What follows is checked by `npm run typecheck` (tsc reads test/): each @ts-expect-error fails the build if the line compiles.
  it('carry the definitions, their references, enums and formats, closed but for NxAttributes', () => {
    const app: NxApp = { attributes: { id: 'a', custom: {}, userDefined: 1 }, privileges: ['read'], create: [{ resource: 'sheet', canCreate: true }] };
    const model: DataModelMetadata = { fields: [{ name: 'f', tags: [] }], reload_meta: { hardware: { logical_cores: 2 } } };
    const bytes: FileData = Buffer.alloc(1);
    const dynamic: JsonObject = { any: [1] };
    const id: EngineOperationId = 'GET /v1/apps/{appId}/data/metadata';
    // @ts-expect-error a misspelt property of a closed definition
    const misspelt: Session = { sessionId: 's' };
    // @ts-expect-error Session.state is the spec's enum
    const unknownState: Session = { state: 'sleeping' };
    // @ts-expect-error a date-time is the ISO text on the wire, not a Date
    const date: NxAttributes = { createdDate: new Date() };
    // @ts-expect-error an operation the contract does not have
    const missing: EngineOperationId = 'GET /v1/nothing';
    const exact: true[] = [
      true satisfies Exact<Session, { sessionid?: string; userid?: string; appid?: string; tenantid?: string; ttl?: number; state?: 'active' | 'stalled' }>,
      true satisfies Exact<HardwareMeta, { logical_cores?: number; total_memory?: number }>,
      true satisfies Exact<NonNullable<DataModelMetadata['fields']>, FieldMetadata[]>,
      true satisfies Exact<NonNullable<NxApp['attributes']>, NxAttributes>,
      true satisfies Exact<FileData, Buffer>,
      true satisfies Exact<JsonObject, Record<string, unknown>>,
    ];
    expect([app, model, bytes, dynamic, id, misspelt, unknownState, date, missing, ...exact]).toHaveLength(15);
  });

  it("type each operation's query and body from the contract it is validated against, and the control API's inputs from its definitions", () => {
    const rule: FaultRuleInput = { method: 'POST', path: '/v1/apps', status: 503 };
    const stub: StubInput = { request: { operationId: 'GET /health', query: { verbose: { absent: true } } }, response: { status: 503 } };
    const control: ControlOperationId = 'PUT /__control/faults';
    // @ts-expect-error a method the control contract's FaultRule does not list
    const fetchRule: FaultRuleInput = { method: 'FETCH', path: '/x', status: 500 };
    // @ts-expect-error a Stub requires its response
    const noResponse: StubInput = { request: {} };
    // @ts-expect-error ValueMatcher.absent is the contract's enum [true]
    const present: ValueMatcher = { absent: false };
    // @ts-expect-error an operation the control contract does not have
    const unknownControl: ControlOperationId = 'PUT /__control/nothing';
    const exact: true[] = [
      true satisfies Exact<RequestInputs<'POST /v1/apps/import'>['query'], { name?: string; mode?: 'NEW' | 'AUTOREPLACE' }>,
      true satisfies Exact<RequestInputs<'POST /v1/apps/import'>['body'], Buffer>,
      true satisfies Exact<RequestInputs<'PUT /v1/apps/{appId}'>['body'], UpdateApp>,
      true satisfies Exact<RequestInputs<'PUT /v1/apps/{appId}/publish'>['body'], PublishApp | undefined>,
      true satisfies Exact<RequestInputs<'GET /v1/apps/{appId}'>, { query: {}; body: undefined }>,
      true satisfies Exact<RequestInputs<'GET /__control/violations'>['query'], { limit?: string; includeWarnings?: 'true' | 'false' }>,
      true satisfies Exact<RequestInputs<'PUT /__control/faults'>['body'], { rules: FaultRuleInput[] }>,
      true satisfies Exact<RequestInputs<'PUT /__control/stubs'>['body'], { stubs: StubInput[] }>,
      true satisfies Exact<RequestInputs<'PUT /__control/scenario'>['body'], { name: string; seed?: number }>,
      true satisfies Exact<RequestInputs<'POST /__control/journal/find'>['body'], JournalMatcher>,
      true satisfies Exact<FaultRuleInput['method'], 'GET' | 'PUT' | 'POST' | 'DELETE' | 'PATCH' | 'HEAD' | 'OPTIONS' | undefined>,
      true satisfies Exact<Omit<JournalMatcher, 'status' | 'namespace' | 'afterSequence' | 'beforeSequence' | 'since' | 'until'>, RequestMatcher>,
      true satisfies Exact<RequestInputs<string>, { query: Record<string, string | undefined>; body: unknown }>,
      true satisfies Exact<CurrentScenario, { namespace: string; name: string; description?: string; mode: 'stateful' | 'spec-examples'; seed?: number }>,
      true satisfies Exact<Omit<ActiveFaultRule, 'id' | 'remaining' | 'applied'>, FaultRuleInput>,
    ];
    expect([rule, stub, control, fetchRule, noResponse, present, unknownControl, ...exact]).toHaveLength(22);
  });

  it("type each operation's 2xx answer from its schema (undefined for a 204), as the control methods return them", () => {
    type Entry = ResponseOf<'GET /__control/journal'>['entries'][number];
    const exact: true[] = [
      true satisfies Exact<ResponseOf<'GET /__control/scenarios'>, ScenarioCatalog>,
      true satisfies Exact<ResponseOf<'POST /__control/scenarios'>, CatalogEntry>,
      true satisfies Exact<ResponseOf<'POST /__control/reset'>, CurrentScenario>,
      true satisfies Exact<ResponseOf<'PUT /__control/faults'>, FaultList>,
      true satisfies Exact<ResponseOf<'POST /__control/stubs'>, StubList>,
      true satisfies Exact<ResponseOf<'POST /__control/journal/count'>, { count: number }>,
      true satisfies Exact<ResponseOf<'DELETE /__control/journal'>, undefined>,
      true satisfies Exact<ResponseOf<'GET /__control/violations'>, ResponseOf<'GET /__control/journal'>>,
      true satisfies Exact<ResponseOf<'GET /__control/state'>, ScenarioDocument>,
      // Swagger 2.0 has no union or null types: the contract leaves a QIX call's requestId and a
      // journaled query's values untyped, and says in their descriptions what the journal's own
      // JournalEntry says (an integer, a string or null; a value or the list of a repeated one).
      true satisfies Exact<Omit<Entry, 'qix' | 'request'>, Omit<JournalEntry, 'qix' | 'request'>>,
      true satisfies Exact<Omit<NonNullable<Entry['qix']>, 'requestId'>, Omit<NonNullable<JournalEntry['qix']>, 'requestId'>>,
      true satisfies Exact<NonNullable<Entry['qix']>['requestId'], unknown>,
      true satisfies Exact<Omit<NonNullable<Entry['request']>, 'query'>, Omit<NonNullable<JournalEntry['request']>, 'query'>>,
      true satisfies Exact<NonNullable<Entry['request']>['query'], Record<string, unknown>>,
      true satisfies Exact<Omit<ResponseOf<'POST /__control/journal/find'>, 'entries' | 'nearMisses'>, Omit<JournalSearch, 'entries' | 'nearMisses'>>,
      true satisfies Exact<ResponseOf<'GET /sessions'>, Session[]>,
      true satisfies Exact<ResponseOf<'GET /v1/apps/{appId}/media/thumbnail'>, Buffer>,
      true satisfies Exact<ResponseOf<'GET /health'>, undefined>,
      true satisfies Exact<ResponseOf<string>, unknown>,
    ];
    expect(exact).toHaveLength(19);
  });

  // One program for both specs (each takes seconds to check); the exact list says nothing else broke.
  it('break the build where a handler or a control method relies on what a spec change takes away: a control body, a control answer, an engine body, a query enum', () => {
    const edits = new Map<SpecModule, (spec: Swagger) => void>([
      [
        CONTROL_MODULE,
        (spec) => {
          const faultRules = spec.definitions.FaultRules!;
          faultRules.properties = { faultRules: faultRules.properties.rules };
          faultRules.required = ['faultRules'];
          spec.definitions.SwitchScenario!.properties.seed = { type: 'string' };
          const journalCount = spec.definitions.JournalCount!;
          journalCount.properties = { total: journalCount.properties.count };
          journalCount.required = ['total'];
        },
      ],
      [
        ENGINE_MODULE,
        (spec) => {
          spec.definitions.CreateApp!.properties = {};
          const importOperation = spec.paths['/v1/apps/import']!.post as { parameters: { name: string; enum?: string[] }[] };
          delete importOperation.parameters.find((parameter) => parameter.name === 'mode')!.enum;
        },
      ],
    ]);
    expect(typeErrorsAfter(edits, ['src/control/routes.ts', 'src/client.ts', 'src/routes/apps.ts'])).toEqual([
      expect.stringMatching(/^src\/control\/routes\.ts:\d+: Type 'string \| number \| undefined' is not assignable to type 'number \| undefined'/),
      expect.stringMatching(/^src\/control\/routes\.ts:\d+: Property 'rules' does not exist on type '\{ faultRules: /),
      // the in-process and HTTP control methods send these bodies
      expect.stringMatching(/^src\/client\.ts:\d+: Type '\{ seed\?: number \| undefined; name: string; \}' is not assignable to type '\{ name: string; seed\?: string \| undefined; \}'/),
      expect.stringMatching(/^src\/client\.ts:\d+: Object literal may only specify known properties, and 'rules' does not exist/),
      // what the control methods read of an answer
      expect.stringMatching(/^src\/client\.ts:\d+: Property 'count' does not exist on type '\{ total: number; \}'/),
      expect.stringMatching(/^src\/routes\/apps\.ts:\d+: Property 'attributes' does not exist on type '\{\}'/),
      expect.stringMatching(/^src\/routes\/apps\.ts:\d+: .*'string' is not assignable to type 'ImportMode/),
    ]);
  });
});
