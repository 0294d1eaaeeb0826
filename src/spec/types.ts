/**
 * TypeScript shapes of the engine contract's 22 definitions
 * (spec/qlik-associative-engine-api.json). The contract declares no `required`, so every
 * property is optional there; the double always fills in what it knows.
 *
 * The compile-time checks at the end of this file fail the build when a definition gains or
 * loses a property in the spec without this file following.
 */
import type engineSpec from '../../spec/qlik-associative-engine-api.json';

export interface MemoryUsage {
  committed?: number;
  allocated?: number;
  free?: number;
}

export interface CPUUsage {
  total?: number;
}

export interface SessionUsage {
  active?: number;
  total?: number;
}

export interface AppUsage {
  active_docs?: string[];
  loaded_docs?: string[];
  in_memory_docs?: string[];
  calls?: number;
  selections?: number;
}

export interface UserUsage {
  active?: number;
  total?: number;
}

export interface CacheUsage {
  hits?: number;
  lookups?: number;
  added?: number;
  replaced?: number;
  bytes_added?: number;
}

export interface HealthcheckStatus {
  version?: string;
  started?: string;
  mem?: MemoryUsage;
  cpu?: CPUUsage;
  session?: SessionUsage;
  apps?: AppUsage;
  users?: UserUsage;
  cache?: CacheUsage;
  saturated?: boolean;
}

export interface Session {
  sessionid?: string;
  userid?: string;
  appid?: string;
  tenantid?: string;
  ttl?: number;
  state?: string;
}

export interface AppAttributes {
  name?: string;
  description?: string;
}

export interface CreateApp {
  attributes?: AppAttributes;
}

export interface UpdateApp {
  attributes?: AppAttributes;
}

/** Contains dynamic JSON data specified by the client. */
export type JsonObject = Record<string, unknown>;

/** App attributes; the contract allows extra user defined attributes beside these. */
export interface NxAttributes {
  id?: string;
  name?: string;
  description?: string;
  thumbnail?: string;
  lastReloadTime?: string;
  createdDate?: string;
  modifiedDate?: string;
  owner?: string;
  dynamicColor?: string;
  published?: boolean;
  publishTime?: string;
  custom?: JsonObject;
  [userDefined: string]: unknown;
}

export interface NxAppCreatePrivileges {
  resource?: string;
  canCreate?: boolean;
}

export interface NxApp {
  attributes?: NxAttributes;
  privileges?: string[];
  create?: NxAppCreatePrivileges[];
}

/** `FileData` is `type: string, format: binary`: raw bytes on the wire. */
export type FileData = Buffer;

export interface PublishApp {
  stream?: string;
}

export interface HardwareMeta {
  logical_cores?: number;
  total_memory?: number;
}

export interface LastReloadMetadata {
  cpu_time_spent_ms?: number;
  hardware?: HardwareMeta;
}

export interface FieldMetadata {
  name?: string;
  src_tables?: string[];
  is_system?: boolean;
  is_hidden?: boolean;
  is_semantic?: boolean;
  distinct_only?: boolean;
  cardinal?: number;
  total_count?: number;
  is_locked?: boolean;
  always_one_selected?: boolean;
  is_numeric?: boolean;
  comment?: string;
  tags?: string[];
  byte_size?: number;
}

export interface TableMetadata {
  name?: string;
  is_system?: boolean;
  is_semantic?: boolean;
  is_loose?: boolean;
  no_of_rows?: number;
  no_of_fields?: number;
  no_of_key_fields?: number;
  comment?: string;
  byte_size?: number;
}

export interface DataModelMetadata {
  reload_meta?: LastReloadMetadata;
  static_byte_size?: number;
  fields?: FieldMetadata[];
  tables?: TableMetadata[];
}

/** Every operation of the contract, named `METHOD /path/template` (the contract has no operationIds). */
type EnginePaths = (typeof engineSpec)['paths'];
export type EngineOperationId = {
  [P in keyof EnginePaths]: `${Uppercase<keyof EnginePaths[P] & string>} ${P & string}`;
}[keyof EnginePaths];

// ---- compile-time agreement between these interfaces and the spec's definitions ----
type Definitions = (typeof engineSpec)['definitions'];
type SpecKeys<D extends keyof Definitions> = Definitions[D] extends { properties: infer P } ? keyof P : never;
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Known<T> = keyof { [K in keyof T as string extends K ? never : K]: T[K] };
type Agrees<D extends keyof Definitions, T> = Exact<SpecKeys<D>, Known<T>>;
type AllTrue<T extends true[]> = T;
export type DefinitionsAgreeWithSpec = AllTrue<
  [
    Agrees<'HealthcheckStatus', HealthcheckStatus>,
    Agrees<'MemoryUsage', MemoryUsage>,
    Agrees<'CPUUsage', CPUUsage>,
    Agrees<'SessionUsage', SessionUsage>,
    Agrees<'AppUsage', AppUsage>,
    Agrees<'UserUsage', UserUsage>,
    Agrees<'CacheUsage', CacheUsage>,
    Agrees<'Session', Session>,
    Agrees<'CreateApp', CreateApp>,
    Agrees<'AppAttributes', AppAttributes>,
    Agrees<'NxApp', NxApp>,
    Agrees<'NxAttributes', NxAttributes>,
    Agrees<'NxAppCreatePrivileges', NxAppCreatePrivileges>,
    Agrees<'UpdateApp', UpdateApp>,
    Agrees<'DataModelMetadata', DataModelMetadata>,
    Agrees<'LastReloadMetadata', LastReloadMetadata>,
    Agrees<'HardwareMeta', HardwareMeta>,
    Agrees<'FieldMetadata', FieldMetadata>,
    Agrees<'TableMetadata', TableMetadata>,
    Agrees<'PublishApp', PublishApp>,
  ]
>;
