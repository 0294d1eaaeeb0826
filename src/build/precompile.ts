/**
 * `npm run build` runs this after tsc: it writes the build artefacts (src/precompiled.ts) the double
 * reads at start-up instead of redoing the work: every validator of the contract and of the scenario
 * format compiled to code with AJV's standalone mode, every shipped scenario file parsed to
 * JSON, and the dashboard's browser code as JavaScript. It empties the folder first, so no artefact of an older build survives.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { PRECOMPILED_DIR } from '../precompiled';
import { loadContract, type PooledSchema } from '../spec/contract';
import { poolAjv, precompiledValidatorPath, type ValidatorVariant } from '../spec/validator-pool';
import { precompiledScenarioPath, readScenarioFile, scenarioFiles } from '../scenarios/registry';
import { SCENARIO_SCHEMAS } from '../scenarios/validate';
import { BUILT_SCRIPT, compileBrowserScript } from '../dashboard/page';
import { ENGINE_VERSION } from '../routes/health';
import { QIX_SURFACE_FILE, enigmaSchemaPath, extractSurface, readSchemaFile } from '../qix/schema';

export interface PrecompileReport {
  validators: number;
  scenarios: number;
  /** The enigma.js QIX schema the method surface was extracted from. */
  qixSchema: string;
}

function writeValidators(schemas: readonly PooledSchema[]): number {
  // Required here: only the build compiles to code.
  const { _ } = require('ajv') as typeof import('ajv');
  const standaloneCode = (require('ajv/dist/standalone') as typeof import('ajv/dist/standalone')).default;
  // The code refers to the formats module instead of inlining its functions: dist/precompiled/x.js → dist/src/spec/formats.js.
  const formatsModule = `./${path.relative(PRECOMPILED_DIR, path.join(__dirname, '..', 'spec', 'formats')).split(path.sep).join('/')}`;
  const code = { source: true, formats: _`require(${formatsModule}).CONTRACT_FORMATS` };
  const ajvs = new Map<string, ReturnType<typeof poolAjv>>();
  const written = new Set<string>();
  const variants: readonly ValidatorVariant[] = ['firstProblem', 'everyProblem'];
  for (const { pool, schema } of schemas) {
    for (const variant of variants) {
      const file = precompiledValidatorPath(pool, variant, JSON.stringify(schema));
      if (written.has(file)) continue;
      let ajv = ajvs.get(`${pool} ${variant}`);
      if (!ajv) ajvs.set(`${pool} ${variant}`, (ajv = poolAjv(pool, variant, { code })));
      fs.writeFileSync(file, standaloneCode(ajv, ajv.compile(schema)));
      written.add(file);
    }
  }
  return written.size;
}

/** The QIX method surface, extracted from enigma.js's schema (a devDependency) so the package need not ship it. */
function writeQixSurface(): string {
  const surface = extractSurface(readSchemaFile(enigmaSchemaPath(ENGINE_VERSION)));
  fs.writeFileSync(QIX_SURFACE_FILE, JSON.stringify(surface));
  return surface.schemaVersion;
}

/** Shipped scenario files as parsed values, for those whose value JSON keeps whole (YAML can say .nan). */
function writeScenarios(): number {
  let count = 0;
  for (const file of scenarioFiles().values()) {
    const value = readScenarioFile(file);
    const json = JSON.stringify(value);
    if (!isDeepStrictEqual(JSON.parse(json), value)) continue;
    fs.writeFileSync(precompiledScenarioPath(fs.readFileSync(file.path, 'utf8')), json);
    count += 1;
  }
  return count;
}

export function precompile(): PrecompileReport {
  fs.rmSync(PRECOMPILED_DIR, { recursive: true, force: true });
  fs.mkdirSync(PRECOMPILED_DIR, { recursive: true });
  // The dashboard's browser code; this file runs from dist/src/build, the source stays in src/.
  fs.writeFileSync(BUILT_SCRIPT, compileBrowserScript(path.join(__dirname, '..', '..', '..', 'src', 'dashboard', 'browser', 'app.ts')));
  return { validators: writeValidators([...loadContract().schemas(), ...SCENARIO_SCHEMAS]), scenarios: writeScenarios(), qixSchema: writeQixSurface() };
}

if (require.main === module) {
  const { validators, scenarios, qixSchema } = precompile();
  process.stdout.write(`precompiled ${validators} validators, ${scenarios} scenario files and the QIX ${qixSchema} method surface into ${path.relative(process.cwd(), PRECOMPILED_DIR)}\n`);
}
