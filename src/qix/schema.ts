/**
 * The QIX method surface: which classes and methods exist and which parameters they take, as
 * enigma.js's published QIX schema for the 12.x engine says, plus the engine's error codes (its
 * `LocalizedErrorCode` enum). Nothing here is kept by hand: `npm run build` extracts the surface
 * from the schema file (enigma.js is a devDependency, 2.9 MB unpacked, too heavy to ship for a
 * 62 KB file) into dist/precompiled/qix-surface.json; run from source (jest, ts-node) the surface
 * is extracted from the installed enigma.js on first use.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PRECOMPILED_DIR } from '../precompiled';

/** One parameter of a method, as the schema's `In` list gives it. */
export interface QixParameter {
  name: string;
  optional: boolean;
  /** The schema's default: the value the engine assumes for a parameter not sent. */
  defaultValue?: unknown;
}

export interface QixMethodSpec {
  in: QixParameter[];
  /** Names of the result's keys (`Out`). */
  out: string[];
}

export interface QixSurface {
  /** The schema's engine version, e.g. 12.170.2. */
  schemaVersion: string;
  /** Class (Global, Doc, GenericObject, ...) → method → parameters. */
  classes: Record<string, Record<string, QixMethodSpec>>;
  /** The engine's error codes by name (LOCERR_APP_NOT_FOUND: 1003, ...). */
  errorCodes: Record<string, number>;
}

/** The schema file's shape, as far as the surface reads it. */
interface SchemaFile {
  version: string;
  structs: Record<string, Record<string, { In?: { Name: string; Optional?: boolean; DefaultValue?: unknown }[]; Out?: { Name: string }[] }>>;
  enums: Record<string, Record<string, number>>;
}

export const QIX_SURFACE_FILE = path.join(PRECOMPILED_DIR, 'qix-surface.json');

/** The surface a schema file describes: every struct that has methods, with their In and Out names. */
export function extractSurface(schema: SchemaFile): QixSurface {
  const classes: QixSurface['classes'] = {};
  for (const [className, members] of Object.entries(schema.structs)) {
    const methods = Object.entries(members).filter(([, member]) => Array.isArray(member.In) && Array.isArray(member.Out));
    if (methods.length === 0) continue;
    classes[className] = Object.fromEntries(
      methods.map(([name, member]) => [
        name,
        {
          in: (member.In ?? []).map((p) => ({ name: p.Name, optional: p.Optional === true, ...(p.DefaultValue !== undefined ? { defaultValue: p.DefaultValue } : {}) })),
          out: (member.Out ?? []).map((o) => o.Name),
        },
      ]),
    );
  }
  return { schemaVersion: schema.version, classes, errorCodes: { ...schema.enums.LocalizedErrorCode } };
}

function versionParts(version: string): number[] {
  return version.split('.').map(Number);
}

function compareVersions(a: string, b: string): number {
  const [x, y] = [versionParts(a), versionParts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i += 1) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The path of enigma.js's schema for `engineVersion`: the newest 12.x schema it ships that is not
 * newer than the engine (12.170.2 for 12.268.0). Needs enigma.js installed (a devDependency).
 */
export function enigmaSchemaPath(engineVersion: string): string {
  const dir = path.join(path.dirname(require.resolve('enigma.js/package.json')), 'schemas');
  const major = versionParts(engineVersion)[0];
  const versions = fs
    .readdirSync(dir)
    .filter((file) => /^\d+(\.\d+)*\.json$/.test(file))
    .map((file) => file.slice(0, -'.json'.length))
    .filter((v) => versionParts(v)[0] === major && compareVersions(v, engineVersion) <= 0)
    .sort(compareVersions);
  const chosen = versions[versions.length - 1];
  if (chosen === undefined) throw new Error(`enigma.js ships no QIX schema for engine ${engineVersion}`);
  return path.join(dir, `${chosen}.json`);
}

export function readSchemaFile(file: string): SchemaFile {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as SchemaFile;
}

let loaded: QixSurface | undefined;

/** The surface for `engineVersion`: the build's extract, or (run from source) extracted now from enigma.js. */
export function qixSurface(engineVersion: string): QixSurface {
  if (loaded) return loaded;
  if (fs.existsSync(QIX_SURFACE_FILE)) loaded = JSON.parse(fs.readFileSync(QIX_SURFACE_FILE, 'utf8')) as QixSurface;
  else loaded = extractSurface(readSchemaFile(enigmaSchemaPath(engineVersion)));
  return loaded;
}
