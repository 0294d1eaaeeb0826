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
import type { ErrorObject, Options as AjvOptions, ValidateFunction } from 'ajv';
import { artefactPath } from '../precompiled';
import { countJsonValues } from '../validation/json-limits';
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

/**
 * Each schema has two validators: `firstProblem` stops at the first broken rule (linear in the
 * document, used first on every value), `everyProblem` lists them all, for the refusal's answer.
 * AJV's all-errors code joins error lists with `concat`, which costs the square of the number of
 * errors (a 30,000-item array of wrong items held the event loop for 13 s), so a document holding
 * more than FULL_REPORT_MAX_VALUES values is refused with its first problem and a note instead.
 */
export type ValidatorVariant = 'firstProblem' | 'everyProblem';

/** Largest document (in values: every array, object and scalar counts one) whose refusal lists every problem. */
export const FULL_REPORT_MAX_VALUES = 2_000;

function variantOptions(pool: PoolName, variant: ValidatorVariant): AjvOptions {
  return { ...POOL_OPTIONS[pool], allErrors: variant === 'everyProblem' };
}

/** Whether a refusal of `value` lists every problem (ValidatorVariant). */
export function listsEveryProblem(value: unknown): boolean {
  return countJsonValues(value, FULL_REPORT_MAX_VALUES + 1) <= FULL_REPORT_MAX_VALUES;
}

/** The AJV-shaped error that says a large document's refusal lists its first problem only. */
export const FIRST_PROBLEM_ONLY: ErrorObject = {
  keyword: 'firstProblemOnly',
  instancePath: '',
  schemaPath: '#',
  params: { maxValues: FULL_REPORT_MAX_VALUES },
  message: `holds more than ${FULL_REPORT_MAX_VALUES} values, so only its first problem is listed`,
};

/** An AJV instance for a pool, with the formats of src/spec/formats.ts (ajv-formats' with the engine's unset dates and int64 range). */
export function poolAjv(pool: PoolName, variant: ValidatorVariant, extra: AjvOptions = {}): Ajv {
  // Required here, not imported: AJV takes ~40 ms to load, paid only when something is compiled.
  const { default: AjvClass } = require('ajv') as typeof import('ajv');
  const { CONTRACT_FORMATS } = require('./formats') as typeof import('./formats');
  return new AjvClass({ ...variantOptions(pool, variant), formats: CONTRACT_FORMATS, ...extra });
}

/** The build artefact of one pool's validator for `schemaText` (JSON.stringify of the schema), named by both and the variant's options. */
export function precompiledValidatorPath(pool: PoolName, variant: ValidatorVariant, schemaText: string): string {
  return artefactPath('validator', `${JSON.stringify(variantOptions(pool, variant))}\n${schemaText}`, 'js');
}

function precompiledValidator(pool: PoolName, variant: ValidatorVariant, schemaText: string): ValidateFunction | undefined {
  const file = precompiledValidatorPath(pool, variant, schemaText);
  return fs.existsSync(file) ? (require(file) as ValidateFunction) : undefined;
}

export class ValidatorPool {
  /** Validators by schema text (validatorFor) or by variant and schema text (variantFor). */
  private readonly validators = new Map<string, ValidateFunction>();
  /** Schema objects already asked for: a hot caller (a check per app date) skips serialising its schema again. */
  private readonly seen = new WeakMap<JsonSchema, ValidateFunction>();
  /** The same for variantFor, by variant. */
  private readonly seenVariants = new WeakMap<JsonSchema, Map<ValidatorVariant, ValidateFunction>>();
  private readonly ajvs = new Map<ValidatorVariant, Ajv>();

  constructor(readonly name: PoolName) {}

  /** A validator with AJV's interface (`errors` after a refusal) whose cost is linear in the value (see ValidatorVariant). */
  validatorFor(schema: JsonSchema): ValidateFunction {
    const known = this.seen.get(schema);
    if (known) return known;
    const text = JSON.stringify(schema);
    let validate = this.validators.get(text);
    if (!validate) {
      validate = this.linearValidator(schema, text);
      this.validators.set(text, validate);
    }
    this.seen.set(schema, validate);
    return validate;
  }

  private linearValidator(schema: JsonSchema, text: string): ValidateFunction {
    const firstProblem = this.compiled(schema, text, 'firstProblem');
    let everyProblem: ValidateFunction | undefined;
    const validate = ((data: unknown) => {
      if (firstProblem(data)) {
        validate.errors = null;
        return true;
      }
      if (listsEveryProblem(data)) {
        everyProblem ??= this.compiled(schema, text, 'everyProblem');
        everyProblem(data);
        validate.errors = everyProblem.errors;
      } else {
        validate.errors = [...(firstProblem.errors ?? []), FIRST_PROBLEM_ONLY];
      }
      return false;
    }) as ValidateFunction;
    return validate;
  }

  /**
   * One variant of a schema's validator, for a caller that validates a large value in parts and
   * joins their errors as validatorFor's validator would have listed them (src/scenarios/validate.ts).
   */
  variantFor(schema: JsonSchema, variant: ValidatorVariant): ValidateFunction {
    let variants = this.seenVariants.get(schema);
    if (!variants) this.seenVariants.set(schema, (variants = new Map()));
    const known = variants.get(variant);
    if (known) return known;
    const text = JSON.stringify(schema);
    // A variant's key cannot be a schema's text (which starts with "{"): one map holds both.
    const key = `${variant} ${text}`;
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.compiled(schema, text, variant);
      this.validators.set(key, validate);
    }
    variants.set(variant, validate);
    return validate;
  }

  private compiled(schema: JsonSchema, text: string, variant: ValidatorVariant): ValidateFunction {
    const precompiled = precompiledValidator(this.name, variant, text);
    if (precompiled) return precompiled;
    let ajv = this.ajvs.get(variant);
    if (!ajv) this.ajvs.set(variant, (ajv = poolAjv(this.name, variant)));
    return ajv.compile(schema);
  }
}
