/**
 * Where every AJV validator of the double comes from. A pool compiles each distinct schema once
 * (by its JSON text) and shares it; before compiling it looks for the same validator compiled to
 * code by `npm run build` (src/build/precompile.ts), because loading AJV and compiling the
 * scenario schema and the engine's definitions cost ~150 ms of every CLI start. A build artefact
 * is named by a hash of its pool's options and schema text, so a missing or stale one is never
 * used: the pool then compiles at run time (as under jest, which runs src/ where there are none).
 */
import fs from 'node:fs';
import type Ajv from 'ajv';
import type { Options as AjvOptions, ValidateFunction } from 'ajv';
import { artefactPath } from '../precompiled';
import type { JsonSchema } from './operations';

/**
 * The pools, each with its AJV options: `bodies` for JSON bodies, responses and definitions;
 * `parameters` for `{path, query, header}` objects of strings, coerced to their declared types;
 * `scenarios` for the double's own scenario format, checked strictly (it has no foreign keywords).
 */
export type PoolName = 'bodies' | 'parameters' | 'scenarios';

// strict: false for the contract because Swagger 2.0 schemas carry annotations AJV does not know (x-*, discriminator).
const POOL_OPTIONS: Record<PoolName, AjvOptions> = {
  bodies: { allErrors: true, strict: false, coerceTypes: false },
  parameters: { allErrors: true, strict: false, coerceTypes: true },
  scenarios: { allErrors: true, strict: true },
};

/** An AJV instance for a pool, with the formats of src/spec/formats.ts (ajv-formats' with the engine's unset dates and int64 range). */
export function poolAjv(pool: PoolName, extra: AjvOptions = {}): Ajv {
  // Required here, not imported: AJV takes ~40 ms to load, paid only when something is compiled.
  const { default: AjvClass } = require('ajv') as typeof import('ajv');
  const { CONTRACT_FORMATS } = require('./formats') as typeof import('./formats');
  return new AjvClass({ ...POOL_OPTIONS[pool], formats: CONTRACT_FORMATS, ...extra });
}

/** The build artefact of one pool's validator for `schemaText` (JSON.stringify of the schema), named by both and the pool's options. */
export function precompiledValidatorPath(pool: PoolName, schemaText: string): string {
  return artefactPath('validator', `${JSON.stringify(POOL_OPTIONS[pool])}\n${schemaText}`, 'js');
}

function precompiledValidator(pool: PoolName, schemaText: string): ValidateFunction | undefined {
  const file = precompiledValidatorPath(pool, schemaText);
  return fs.existsSync(file) ? (require(file) as ValidateFunction) : undefined;
}

export class ValidatorPool {
  private readonly validators = new Map<string, ValidateFunction>();
  /** Schema objects already asked for: a hot caller (a check per app date) skips serialising its schema again. */
  private readonly seen = new WeakMap<JsonSchema, ValidateFunction>();
  private ajv: Ajv | undefined;

  constructor(readonly name: PoolName) {}

  validatorFor(schema: JsonSchema): ValidateFunction {
    const known = this.seen.get(schema);
    if (known) return known;
    const text = JSON.stringify(schema);
    let validate = this.validators.get(text);
    if (!validate) {
      validate = precompiledValidator(this.name, text) ?? (this.ajv ??= poolAjv(this.name)).compile(schema);
      this.validators.set(text, validate);
    }
    this.seen.set(schema, validate);
    return validate;
  }
}
