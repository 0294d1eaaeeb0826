/**
 * Types derived at the type level from the two contracts' literal types (src/spec/engine-spec.ts,
 * src/spec/control-spec.ts, written by `npm run spec-module`): the engine's 22 definitions (the
 * model's types), the control API's input definitions, the query and body of every operation
 * of either contract (`RequestInputs`, which types the handlers' requests) and its 2xx answer
 * (`ResponseOf`, which types the control methods' answers). A change to a spec
 * changes these types, and the build breaks where the code no longer fits. Formats: `binary` is a
 * Buffer (the bytes on the wire); `date-time`, `int32`, `int64` stay strings and numbers (the double
 * sends ISO 8601 text, and "" for an unset date, as real engines do).
 *
 * The derivation is these few lines rather than json-schema-to-ts's FromSchema: these declarations
 * ship in the package (ScenarioDocument and the control methods' inputs are public), and a consumer
 * compiling them with skipLibCheck off would need json-schema-to-ts (2.9 MB with its dependencies)
 * installed just to read them.
 *
 * Objects are closed (known properties only, so a misspelt one fails to compile) unless the schema
 * gives `additionalProperties` a schema (a map). The engine contract declares no `required`, so its
 * properties are all optional, and no `additionalProperties`, so its objects are open on the wire;
 * NxAttributes stays open here too, as its contract says it "can also contain extra user defined
 * attributes".
 */
import type { ControlSpec } from './control-spec';
import type { EngineSpec } from './engine-spec';

type Definitions = EngineSpec['definitions'];

/** The properties of an object schema, those it lists as `required` not optional. */
type ObjectOf<Properties, Required, Defs> = { -readonly [K in keyof Properties as K extends Required ? K : never]: FromSchema<Properties[K], Defs> } & {
  -readonly [K in keyof Properties as K extends Required ? never : K]?: FromSchema<Properties[K], Defs>;
} extends infer Shape
  ? { [K in keyof Shape]: Shape[K] }
  : never;

/** The TypeScript type of the values a (Swagger 2.0) schema accepts, its `$ref`s read in `Defs` (a spec's definitions). */
type FromSchema<Schema, Defs> = Schema extends { readonly $ref: `#/definitions/${infer Name extends keyof Defs & string}` }
  ? FromSchema<Defs[Name], Defs>
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
              ? FromSchema<Items, Defs>[]
              : Schema extends { readonly type: 'object'; readonly properties: infer Properties }
                ? ObjectOf<Properties, Schema extends { readonly required: readonly (infer Required)[] } ? Required : never, Defs>
                : Schema extends { readonly type: 'object'; readonly additionalProperties: infer Values extends object }
                  ? Record<string, FromSchema<Values, Defs>>
                  : Schema extends { readonly type: 'object' }
                    ? Record<string, unknown>
                    : unknown;

type Derived<Name extends keyof Definitions> = FromSchema<Definitions[Name], Definitions>;

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

/** The operations of a spec's paths, each named `METHOD /path/template` (neither contract has operationIds). */
type OperationIds<Paths> = { [P in keyof Paths]: `${Uppercase<keyof Paths[P] & string>} ${P & string}` }[keyof Paths];
export type EngineOperationId = OperationIds<EngineSpec['paths']>;
export type ControlOperationId = OperationIds<ControlSpec['paths']>;

/** The operation object `METHOD /path/template` names in a spec's paths. */
type OperationOf<Paths, Id> = Id extends `${infer Method} ${infer Path extends keyof Paths & string}`
  ? Paths[Path][Lowercase<Method> & keyof Paths[Path]]
  : never;
type ParameterIn<Operation, In> = Operation extends { readonly parameters: readonly (infer Parameter)[] } ? Extract<Parameter, { readonly in: In }> : never;

/** A query parameter's value as a handler reads it: the validated text (one of an enum's values, "true"/"false" for a boolean). */
type QueryValue<Parameter> = Parameter extends { readonly enum: readonly (infer Allowed extends string | number | boolean)[] }
  ? `${Allowed}`
  : Parameter extends { readonly type: 'boolean' }
    ? `${boolean}`
    : string;
type QueryOf<Operation> = { [P in ParameterIn<Operation, 'query'> as P extends { readonly required: true } ? P['name'] : never]: QueryValue<P> } & {
  [P in ParameterIn<Operation, 'query'> as P extends { readonly required: true } ? never : P['name']]?: QueryValue<P>;
};
/** The body parameter's schema as a type (undefined unless the body is required); undefined for an operation that takes none. */
type BodyOf<Operation, Defs> = [ParameterIn<Operation, 'body'>] extends [never]
  ? undefined
  : ParameterIn<Operation, 'body'> extends { readonly schema: infer Schema; readonly required?: infer Required }
    ? FromSchema<Schema, Defs> | (Required extends true ? never : undefined)
    : never;
type InputsOf<Operation, Defs> = { query: QueryOf<Operation>; body: BodyOf<Operation, Defs> };

/**
 * What a request to an operation of either contract carries once validated against it: its query
 * parameters and its body, typed from the spec. Any other name (a handler not tied to one
 * operation) gets the untyped shape.
 */
export type RequestInputs<Id extends string> = Id extends EngineOperationId
  ? InputsOf<OperationOf<EngineSpec['paths'], Id>, Definitions>
  : Id extends ControlOperationId
    ? InputsOf<OperationOf<ControlSpec['paths'], Id>, ControlSpec['definitions']>
    : { query: Record<string, string | undefined>; body: unknown };

/** The body a 2xx answer of an operation carries, typed from its schema; undefined for an answer without one (204). */
type SuccessBodyOf<Operation, Defs> = Operation extends { readonly responses: infer Responses }
  ? { [Status in keyof Responses]: Status extends `2${string}` ? (Responses[Status] extends { readonly schema: infer Schema } ? FromSchema<Schema, Defs> : undefined) : never }[keyof Responses]
  : never;

/**
 * What an operation of either contract answers when it succeeds: the body of its 2xx answers,
 * typed from the spec (undefined for a 204). Any other name gets `unknown`.
 */
export type ResponseOf<Id extends string> = Id extends EngineOperationId
  ? SuccessBodyOf<OperationOf<EngineSpec['paths'], Id>, Definitions>
  : Id extends ControlOperationId
    ? SuccessBodyOf<OperationOf<ControlSpec['paths'], Id>, ControlSpec['definitions']>
    : unknown;

/** Definitions of the control contract (spec/control-api.json): what the control API takes, and answers the double builds. */
type Control<Name extends keyof ControlSpec['definitions']> = FromSchema<ControlSpec['definitions'][Name], ControlSpec['definitions']>;
export type FaultRuleInput = Control<'FaultRule'>;
export type AppliedFault = Control<'AppliedFault'>;
export type ActiveFaultRule = Control<'ActiveFaultRule'>;
export type FaultList = Control<'FaultList'>;
export type ActiveStub = Control<'ActiveStub'>;
export type StubList = Control<'StubList'>;
export type CurrentScenario = Control<'CurrentScenario'>;
export type NamespaceList = Control<'NamespaceList'>;
export type StubInput = Control<'Stub'>;
export type StubResponse = Control<'StubResponse'>;
export type RequestMatcher = Control<'RequestMatcher'>;
export type JournalMatcher = Control<'JournalMatcher'>;
export type ValueMatcher = Control<'ValueMatcher'>;
export type BodyMatcher = Control<'BodyMatcher'>;
export type RecordedBody = Control<'RecordedBody'>;
export type Difference = Control<'Difference'>;
export type CoverageReport = Control<'Coverage'>;
export type CoverageSummary = Control<'CoverageSummary'>;
export type OperationCoverage = Control<'OperationCoverage'>;
export type CatalogEntry = Control<'ScenarioListing'>;
export type ScenarioReload = Control<'ScenarioReload'>;
export type ScenarioCatalog = Control<'ScenarioCatalog'>;
export type ErrorSource = Control<'ErrorSource'>;
export type ErrorEntry = Control<'ErrorEntry'>;
export type ErrorResponseBody = Control<'ErrorResponse'>;
