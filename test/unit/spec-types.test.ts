import fs from 'node:fs';
import path from 'node:path';
import { specModuleText } from '../../src/build/spec-module';
import type { DataModelMetadata, EngineOperationId, FieldMetadata, FileData, HardwareMeta, JsonObject, NxApp, NxAttributes, Session } from '../../src/spec/types';

/** true when A and B are the same type. */
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

describe('the types derived from the spec (src/spec/types.ts)', () => {
  it('read the spec as it is: src/spec/engine-spec.ts is the current spec (else run `npm run spec-module`)', () => {
    const root = path.join(__dirname, '..', '..');
    const spec = JSON.parse(fs.readFileSync(path.join(root, 'spec', 'qlik-associative-engine-api.json'), 'utf8')) as Record<string, unknown>;
    expect(fs.readFileSync(path.join(root, 'src', 'spec', 'engine-spec.ts'), 'utf8')).toBe(specModuleText(spec));
  });

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
});
