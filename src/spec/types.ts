/**
 * TypeScript shapes of the engine contract's 22 definitions (spec/qlik-associative-engine-api.json),
 * derived at the type level from its literal copy src/spec/engine-spec.ts: a change to a definition
 * changes these types, and the build breaks where the code no longer fits. Formats: `binary` is a
 * Buffer (the bytes on the wire); `date-time`, `int32`, `int64` stay strings and numbers (the double
 * sends ISO 8601 text, and "" for an unset date, as real engines do).
 *
 * The derivation is these few lines rather than json-schema-to-ts's FromSchema: these declarations
 * ship in the package (ScenarioDocument is public), and a consumer compiling them with skipLibCheck
 * off would need json-schema-to-ts (2.9 MB with its dependencies) installed just to read them.
 *
 * The contract declares no `required`, so every property is optional, and no
 * `additionalProperties`, so its objects are open; the types are closed (known properties only, so
 * a misspelt one fails to compile) except NxAttributes, whose contract says it "can also contain
 * extra user defined attributes".
 */
import type { ENGINE_SPEC } from './engine-spec';

type Spec = typeof ENGINE_SPEC;
type Definitions = Spec['definitions'];

/** The properties of an object schema, those it lists as `required` not optional. */
type ObjectOf<Properties, Required> = { -readonly [K in keyof Properties as K extends Required ? K : never]: FromSchema<Properties[K]> } & {
  -readonly [K in keyof Properties as K extends Required ? never : K]?: FromSchema<Properties[K]>;
} extends infer Shape
  ? { [K in keyof Shape]: Shape[K] }
  : never;

/** The TypeScript type of the values a (Swagger 2.0) schema of this contract accepts. */
type FromSchema<Schema> = Schema extends { readonly $ref: `#/definitions/${infer Name extends keyof Definitions & string}` }
  ? FromSchema<Definitions[Name]>
  : Schema extends { readonly enum: readonly (infer Allowed)[] }
    ? Allowed
    : Schema extends { readonly type: 'string'; readonly format: 'binary' }
      ? Buffer
      : Schema extends { readonly type: 'string' }
        ? string
        : Schema extends { readonly type: 'integer' | 'number' }
          ? number
          : Schema extends { readonly type: 'boolean' }
            ? boolean
            : Schema extends { readonly type: 'array'; readonly items: infer Items }
              ? FromSchema<Items>[]
              : Schema extends { readonly type: 'object'; readonly properties: infer Properties }
                ? ObjectOf<Properties, Schema extends { readonly required: readonly (infer Required)[] } ? Required : never>
                : Schema extends { readonly type: 'object' }
                  ? Record<string, unknown>
                  : unknown;

type Derived<Name extends keyof Definitions> = FromSchema<Definitions[Name]>;

export type MemoryUsage = Derived<'MemoryUsage'>;
export type CPUUsage = Derived<'CPUUsage'>;
export type SessionUsage = Derived<'SessionUsage'>;
export type AppUsage = Derived<'AppUsage'>;
export type UserUsage = Derived<'UserUsage'>;
export type CacheUsage = Derived<'CacheUsage'>;
export type HealthcheckStatus = Derived<'HealthcheckStatus'>;
export type Session = Derived<'Session'>;
export type AppAttributes = Derived<'AppAttributes'>;
export type CreateApp = Derived<'CreateApp'>;
export type UpdateApp = Derived<'UpdateApp'>;
/** Contains dynamic JSON data specified by the client. */
export type JsonObject = Derived<'JsonObject'>;
/** App attributes; the contract allows extra user defined attributes beside these. */
export type NxAttributes = Derived<'NxAttributes'> & { [userDefined: string]: unknown };
export type NxAppCreatePrivileges = Derived<'NxAppCreatePrivileges'>;
export type NxApp = Omit<Derived<'NxApp'>, 'attributes'> & { attributes?: NxAttributes };
/** `FileData` is `type: string, format: binary`: raw bytes on the wire. */
export type FileData = Derived<'FileData'>;
export type PublishApp = Derived<'PublishApp'>;
export type HardwareMeta = Derived<'HardwareMeta'>;
export type LastReloadMetadata = Derived<'LastReloadMetadata'>;
export type FieldMetadata = Derived<'FieldMetadata'>;
export type TableMetadata = Derived<'TableMetadata'>;
export type DataModelMetadata = Derived<'DataModelMetadata'>;

/** Every operation of the contract, named `METHOD /path/template` (the contract has no operationIds). */
type EnginePaths = Spec['paths'];
export type EngineOperationId = {
  [P in keyof EnginePaths]: `${Uppercase<keyof EnginePaths[P] & string>} ${P & string}`;
}[keyof EnginePaths];
