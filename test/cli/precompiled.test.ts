/**
 * The build's artefacts (dist/precompiled): validators compiled to code and shipped scenarios parsed
 * to JSON, which spare every start AJV compilation and YAML parsing. The built modules are checked
 * against the source ones, which under jest find no artefacts and compile or parse as before.
 */
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { loadContract, type PooledSchema } from '../../src/spec/contract';
import { poolAjv, type ValidatorVariant } from '../../src/spec/validator-pool';
import { readScenarioFile, scenarioFiles, type ScenarioFile } from '../../src/scenarios/registry';
import { SCENARIO_SCHEMAS } from '../../src/scenarios/validate';
import { serveCli } from '../support/cli';

const DIST = path.join(__dirname, '../../dist/src');
// The built modules, as the package ships them.
const builtPool = require(path.join(DIST, 'spec/validator-pool.js')) as typeof import('../../src/spec/validator-pool');
const builtRegistry = require(path.join(DIST, 'scenarios/registry.js')) as typeof import('../../src/scenarios/registry');

const EVERY_SCHEMA: PooledSchema[] = [...loadContract().schemas(), ...SCENARIO_SCHEMAS];
const VARIANTS: ValidatorVariant[] = ['firstProblem', 'everyProblem'];
const artefactOf = ({ pool, schema }: PooledSchema, variant: ValidatorVariant = 'everyProblem') => builtPool.precompiledValidatorPath(pool, variant, JSON.stringify(schema));

/** Values every validator is tried with: wrong types, and the shapes the engine and scenarios use, right and wrong. */
function samples(pool: PooledSchema['pool']): unknown[] {
  const app = { name: 'Sales', description: 'Q3', published: false, createdDate: '2024-05-01T12:00:00.000Z', custom: {} };
  const badApp = { name: 5, published: 'no', createdDate: 'yesterday', id: 7 };
  const shapes = [null, 0, 'text', true, [], {}, app, badApp, { attributes: app }, { attributes: badApp }, [app, badApp], { errors: [{ title: 'x', status: '404' }] }];
  if (pool === 'parameters') {
    return [
      ...shapes,
      { path: { appId: 'a', path: 'b/c.png' }, query: { mode: 'NEW', show: 'all', appId: 'x', name: 'n' }, header: {} },
      { path: {}, query: { mode: 'SOMETIMES', show: '1', limit: 'ten' }, header: { 'content-type': 'text/plain' } },
      { path: { appId: 'a' }, query: { limit: '10', latencyMs: '250', count: 'x' }, header: {} },
    ];
  }
  if (pool === 'scenarios') {
    return [
      ...shapes,
      '2024-05-01T12:00:00.000Z',
      '2024-13-01',
      ...[...scenarioFiles().values()].map((file) => readScenarioFile(file)),
      { name: 1, apps: [{ attributes: { published: 'yes' }, media: { 'a.png': { base64: '***' } } }], sessions: {} },
    ];
  }
  return shapes;
}

function verdict(validate: ValidateFunction, value: unknown): { valid: boolean; errors: ErrorObject[] | null | undefined; coerced: unknown } {
  const copy = structuredClone(value); // parameters are coerced in place
  const valid = validate(copy);
  return { valid, errors: validate.errors, coerced: copy };
}

describe('the build artefacts', () => {
  it('hold a precompiled validator for every schema of the contract and the scenario format, and nothing else', () => {
    for (const variant of VARIANTS) {
      expect(EVERY_SCHEMA.filter((pooled) => !fs.existsSync(artefactOf(pooled, variant))).map(({ pool, schema }) => `${pool}: ${JSON.stringify(schema).slice(0, 80)}`)).toEqual([]);
    }
    const artefacts = new Set(VARIANTS.flatMap((variant) => EVERY_SCHEMA.map((pooled) => artefactOf(pooled, variant))));
    const written = fs.readdirSync(path.dirname([...artefacts][0] ?? '')).filter((name) => name.startsWith('validator-'));
    expect(written).toHaveLength(artefacts.size);
  });

  it('answer every sample as AJV compiling the schema at run time does: verdict, errors and coercions', () => {
    let valid = 0;
    let invalid = 0;
    for (const [pooled, variant] of EVERY_SCHEMA.flatMap((pooled) => VARIANTS.map((variant) => [pooled, variant] as const))) {
      const precompiled = require(artefactOf(pooled, variant)) as ValidateFunction;
      const compiled = poolAjv(pooled.pool, variant).compile(pooled.schema);
      for (const value of samples(pooled.pool)) {
        const expected = verdict(compiled, value);
        expect({ schema: pooled.schema, value, ...verdict(precompiled, value) }).toEqual({ schema: pooled.schema, value, ...expected });
        if (expected.valid) valid += 1;
        else invalid += 1;
      }
    }
    // Both verdicts are exercised, on many schemas.
    expect(valid).toBeGreaterThan(80);
    expect(invalid).toBeGreaterThan(400);
  });

  it('check the contract formats in the precompiled code as src/spec/formats.ts defines them', () => {
    const schemaOf = (definition: string) => EVERY_SCHEMA.find(({ schema }) => JSON.stringify(schema) === JSON.stringify(loadContract().definition(definition)));
    const attributes = schemaOf('NxAttributes');
    const table = schemaOf('TableMetadata');
    if (!attributes || !table) throw new Error('NxAttributes or TableMetadata is not among the compiled schemas');
    const validateAttributes = require(artefactOf(attributes, 'firstProblem')) as ValidateFunction;
    expect(validateAttributes({ createdDate: '2024-05-01T12:00:00.000Z', publishTime: '' })).toBe(true);
    expect(validateAttributes({ createdDate: '2024-05-01 noon' })).toBe(false);
    expect(validateAttributes.errors).toEqual([expect.objectContaining({ keyword: 'format', params: { format: 'date-time' } })]);
    const validateTable = require(artefactOf(table, 'firstProblem')) as ValidateFunction;
    expect(validateTable({ no_of_fields: 2 ** 31 - 1, no_of_rows: 2 ** 53 })).toBe(true);
    expect(validateTable({ no_of_fields: 2 ** 31 })).toBe(false);
    expect(validateTable({ no_of_rows: 2 ** 63 })).toBe(false);
  });

  it('are not needed: a schema the build never saw is compiled at run time', () => {
    const pool = new builtPool.ValidatorPool('bodies');
    const schema = { type: 'string', minLength: 3 };
    expect(fs.existsSync(builtPool.precompiledValidatorPath('bodies', 'firstProblem', JSON.stringify(schema)))).toBe(false);
    const validate = pool.validatorFor(schema);
    expect([validate('ab'), validate('abc')]).toEqual([false, true]);
    expect(pool.validatorFor({ ...schema })).toBe(validate);
  });

  it('are read or compiled once per variant and schema: variantFor keeps what it made', () => {
    const pool = new builtPool.ValidatorPool('scenarios');
    const schema = SCENARIO_SCHEMAS[0]!.schema;
    const first = pool.variantFor(schema, 'firstProblem');
    const every = pool.variantFor(schema, 'everyProblem');
    expect(every).not.toBe(first);
    expect(pool.variantFor(schema, 'firstProblem')).toBe(first);
    expect(pool.variantFor(structuredClone(schema), 'everyProblem')).toBe(every);
    const unseen = { type: 'string', minLength: 3 };
    expect(pool.variantFor({ ...unseen }, 'firstProblem')).toBe(pool.variantFor(unseen, 'firstProblem'));
  });

  it('hold the parse of every shipped scenario file, equal to what the YAML parser makes of it', () => {
    for (const file of scenarioFiles().values()) {
      expect(fs.existsSync(builtRegistry.precompiledScenarioPath(fs.readFileSync(file.path, 'utf8')))).toBe(true);
      expect(builtRegistry.readScenarioFile(file)).toEqual(readScenarioFile(file));
    }
  });

  it('are found by content, not by name: an edited shipped file is parsed again', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qed-edited-'));
    try {
      const shipped = scenarioFiles().get('default');
      if (!shipped) throw new Error('no default scenario');
      const text = fs.readFileSync(shipped.path, 'utf8').replace(/^condition: healthy$/m, 'condition: unhealthy');
      const edited: ScenarioFile = { ...shipped, path: path.join(dir, 'default.yaml') };
      fs.writeFileSync(edited.path, text);
      expect(builtRegistry.readScenarioFile(edited)).toMatchObject({ name: 'default', condition: 'unhealthy' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a served double on the default scenario', () => {
  it('answers engine and control calls without loading the AJV compiler or the YAML parser', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qed-modules-'));
    const hook = path.join(dir, 'report-modules.js');
    // Runs inside the CLI's process: on exit, the modules it loaded from node_modules.
    fs.writeFileSync(
      hook,
      `process.on('exit', () => process.stderr.write('MODULES ' + JSON.stringify(Object.keys(require.cache).filter((f) => f.includes('node_modules'))) + '\\n'));`,
    );
    try {
      const { child, url, exit, stderr } = await serveCli(['--port', '0', '--host', '127.0.0.1'], { ...process.env, NODE_OPTIONS: `--require ${hook}` });
      const json = { 'content-type': 'application/json' };
      const created = await fetch(`${url}/v1/apps`, { method: 'POST', headers: json, body: JSON.stringify({ attributes: { name: 'Sales' } }) });
      expect(created.status).toBe(200);
      const { attributes } = (await created.json()) as { attributes: { id: string } };
      expect((await fetch(`${url}/v1/apps/${attributes.id}`)).status).toBe(200);
      const refused = await fetch(`${url}/v1/apps`, { method: 'POST', headers: json, body: JSON.stringify({ attributes: { name: 5 } }) });
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ errors: [{ source: { pointer: '/attributes/name' } }] });
      expect((await fetch(`${url}/__control/state`)).status).toBe(200);
      const closed = once(child, 'close'); // after stderr is read to its end
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
      await closed;
      const loaded = JSON.parse(/^MODULES (.*)$/m.exec(stderr())?.[1] ?? 'null') as string[];
      expect(loaded.some((file) => file.includes('/ajv/dist/runtime/'))).toBe(true); // precompiled validators ran
      expect(loaded.filter((file) => /\/ajv\/dist\/(ajv|core)\.js$|\/yaml\//.test(file))).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
