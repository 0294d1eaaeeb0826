/**
 * TypeScript shapes of the engine contract's 22 definitions (spec/qlik-associative-engine-api.json),
 * derived from the spec by json-schema-to-ts over its literal copy src/spec/engine-spec.ts: a change
 * to a definition changes these types, and the build breaks where the code no longer fits. The
 * contract declares no `required`, so every property is optional; the double always fills in what
 * it knows. Formats: `binary` is a Buffer (the bytes on the wire); `date-time` stays a string (the
 * double sends ISO 8601 text, and "" for an unset date, as real engines do).
 *
 * The contract declares no `additionalProperties` either, so its objects are open; the types are
 * closed (known properties only, so a misspelt one fails to compile) except NxAttributes, whose
 * contract says it "can also contain extra user defined attributes".
 */
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { ENGINE_SPEC } from './engine-spec';

type Spec = typeof ENGINE_SPEC;
type Definitions = Spec['definitions'];

/** The formats whose values are not plain JSON strings in the double. */
type Formats = [{ pattern: { type: 'string'; format: 'binary' }; output: Buffer }];

/** A definition's type, its `#/definitions/...` references resolved against the spec's definitions. */
type Derived<Name extends keyof Definitions> =
  Definitions[Name] & { definitions: Definitions } extends infer Schema extends JSONSchema ? FromSchema<Schema, { deserialize: Formats }> : never;

/** Only the named properties, at every depth: the index signature an open object gets goes. */
type Closed<T> = T extends Buffer
  ? T
  : T extends readonly (infer Item)[]
    ? Closed<Item>[]
    : T extends object
      ? { -readonly [K in keyof T as string extends K ? never : K]: Closed<T[K]> }
      : T;

export type MemoryUsage = Closed<Derived<'MemoryUsage'>>;
export type CPUUsage = Closed<Derived<'CPUUsage'>>;
export type SessionUsage = Closed<Derived<'SessionUsage'>>;
export type AppUsage = Closed<Derived<'AppUsage'>>;
export type UserUsage = Closed<Derived<'UserUsage'>>;
export type CacheUsage = Closed<Derived<'CacheUsage'>>;
export type HealthcheckStatus = Closed<Derived<'HealthcheckStatus'>>;
export type Session = Closed<Derived<'Session'>>;
export type AppAttributes = Closed<Derived<'AppAttributes'>>;
export type CreateApp = Closed<Derived<'CreateApp'>>;
export type UpdateApp = Closed<Derived<'UpdateApp'>>;
/** Contains dynamic JSON data specified by the client. */
export type JsonObject = Derived<'JsonObject'>;
/** App attributes; the contract allows extra user defined attributes beside these. */
export type NxAttributes = Closed<Derived<'NxAttributes'>> & { custom?: JsonObject; [userDefined: string]: unknown };
export type NxAppCreatePrivileges = Closed<Derived<'NxAppCreatePrivileges'>>;
export type NxApp = Omit<Closed<Derived<'NxApp'>>, 'attributes'> & { attributes?: NxAttributes };
/** `FileData` is `type: string, format: binary`: raw bytes on the wire. */
export type FileData = Derived<'FileData'>;
export type PublishApp = Closed<Derived<'PublishApp'>>;
export type HardwareMeta = Closed<Derived<'HardwareMeta'>>;
export type LastReloadMetadata = Closed<Derived<'LastReloadMetadata'>>;
export type FieldMetadata = Closed<Derived<'FieldMetadata'>>;
export type TableMetadata = Closed<Derived<'TableMetadata'>>;
export type DataModelMetadata = Closed<Derived<'DataModelMetadata'>>;

/** Every operation of the contract, named `METHOD /path/template` (the contract has no operationIds). */
type EnginePaths = Spec['paths'];
export type EngineOperationId = {
  [P in keyof EnginePaths]: `${Uppercase<keyof EnginePaths[P] & string>} ${P & string}`;
}[keyof EnginePaths];
