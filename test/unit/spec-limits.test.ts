/**
 * Issue 12, item 1: every array and string of the double's own schemas (the control API and the
 * scenario format) has a size limit, so no document the double takes or gives is unbounded.
 */
import controlApi from '../../spec/control-api.json';
import scenarioSchema from '../../spec/scenario.schema.json';

/** Pointers of arrays without maxItems and strings without maxLength (or enum/const), anywhere in a schema. */
function unbounded(node: unknown, pointer = ''): string[] {
  if (Array.isArray(node)) return node.flatMap((item, index) => unbounded(item, `${pointer}/${index}`));
  if (node === null || typeof node !== 'object') return [];
  const schema = node as Record<string, unknown>;
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const own: string[] = [];
  if (types.includes('array') && schema.maxItems === undefined) own.push(`${pointer} (array)`);
  if (types.includes('string') && schema.maxLength === undefined && schema.enum === undefined && schema.const === undefined) own.push(`${pointer} (string)`);
  return [...own, ...Object.entries(schema).flatMap(([key, value]) => unbounded(value, `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`))];
}

describe.each([
  ['spec/control-api.json', controlApi],
  ['spec/scenario.schema.json', scenarioSchema],
])('%s', (_file, schema) => {
  it('bounds every array (maxItems) and every string (maxLength)', () => {
    expect(unbounded(schema)).toEqual([]);
  });
});
