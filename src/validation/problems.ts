/**
 * Turns AJV's errors into the double's problems: one per broken rule, each saying where (a JSON
 * pointer or a parameter name), what (a sentence) and which rule (the JSON Schema keyword).
 */
import type { ErrorObject } from 'ajv';
import type { Problem } from '../errors';

/** One reference token of a JSON pointer (RFC 6901): "~" and "/" escaped. */
export function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The pointer of the value a rule is about; for `required`, the missing property itself. */
export function pointerOf(error: ErrorObject): string {
  const missing = error.keyword === 'required' ? (error.params as { missingProperty?: string }).missingProperty : undefined;
  return missing === undefined ? error.instancePath : `${error.instancePath}/${missing}`;
}

/** What each format of the contract asks, said the same way wherever a value breaks it. */
const FORMAT_RULES: Record<string, string> = {
  'date-time': 'must be an ISO 8601 date-time with a time zone (2024-05-01T12:00:00.000Z) or "" (unset)',
  int32: 'must be a whole number from -2147483648 to 2147483647 (int32)',
  int64: 'must be a whole number from -2^63 to 2^63-1 (int64)',
};

export function describe(error: ErrorObject): string {
  switch (error.keyword) {
    case 'enum':
      return `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'required':
      return 'is required';
    case 'format':
      return FORMAT_RULES[(error.params as { format: string }).format] ?? error.message ?? 'breaks the format rule';
    default:
      return error.message ?? `breaks the ${error.keyword} rule`;
  }
}

/** Problems in a JSON body: `source.pointer` into the body, e.g. /attributes/name. */
export function bodyProblems(errors: ErrorObject[], where = 'body'): Problem[] {
  return errors.map((error) => {
    const pointer = pointerOf(error);
    return {
      detail: `${where}${pointer || ''} ${describe(error)}`,
      source: { pointer: pointer || '/' },
      meta: { rule: error.keyword, schemaPath: error.schemaPath, params: error.params },
    };
  });
}

/** Problems in `{path, query, header}` objects: `source.parameter` names the parameter. */
export function parameterProblems(errors: ErrorObject[]): Problem[] {
  return errors.map((error) => {
    const [, location = '', name = ''] = pointerOf(error).split('/');
    return {
      detail: `${location} parameter '${name}' ${describe(error)}`,
      source: location === 'header' ? { header: name } : { parameter: name },
      meta: { rule: error.keyword, in: location, params: error.params },
    };
  });
}
