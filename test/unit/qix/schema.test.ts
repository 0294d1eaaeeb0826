/**
 * The QIX surface is enigma.js's schema, not a hand-kept list: the build's extract equals the
 * schema file, and every method the double answers exists there with the parameters it reads.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ENGINE_VERSION } from '../../../src/routes/health';
import { IMPLEMENTED_METHODS } from '../../../src/qix/methods';
import { enigmaSchemaPath, extractSurface, qixSurface, readSchemaFile, type QixSurface } from '../../../src/qix/schema';

const schemaFile = enigmaSchemaPath(ENGINE_VERSION);
const schema = readSchemaFile(schemaFile);

it('reads the newest 12.x schema enigma.js ships that is not newer than the engine', () => {
  expect(path.basename(schemaFile)).toBe('12.170.2.json');
  expect(qixSurface(ENGINE_VERSION).schemaVersion).toBe('12.170.2');
});

it('extracts every class, method and parameter of the schema, and its error codes', () => {
  const surface = extractSurface(schema);
  for (const [className, members] of Object.entries(schema.structs)) {
    for (const [method, spec] of Object.entries(members)) {
      expect(surface.classes[className]?.[method]?.in.map((p) => p.name)).toEqual((spec.In ?? []).map((p) => p.Name));
      expect(surface.classes[className]?.[method]?.in.map((p) => p.optional)).toEqual((spec.In ?? []).map((p) => p.Optional === true));
      expect(surface.classes[className]?.[method]?.out).toEqual((spec.Out ?? []).map((p) => p.Name));
    }
  }
  const methodCount = (classes: Record<string, Record<string, unknown>>) => Object.values(classes).reduce((n, c) => n + Object.keys(c).length, 0);
  expect(methodCount(surface.classes)).toBe(methodCount(schema.structs));
  expect(surface.errorCodes).toEqual(schema.enums.LocalizedErrorCode);
});

it('ships in dist the very surface the schema gives (npm run build wrote it)', () => {
  const built = path.join(__dirname, '../../../dist/precompiled/qix-surface.json');
  expect(fs.existsSync(built)).toBe(true);
  expect(JSON.parse(fs.readFileSync(built, 'utf8')) as QixSurface).toEqual(extractSurface(schema));
});

it('answers only methods the schema has', () => {
  const surface = extractSurface(schema);
  for (const [className, methods] of Object.entries(IMPLEMENTED_METHODS)) {
    for (const method of Object.keys(methods)) expect(`${className}.${method}: ${surface.classes[className]?.[method] !== undefined}`).toBe(`${className}.${method}: true`);
  }
});
