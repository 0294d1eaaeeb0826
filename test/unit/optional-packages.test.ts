/**
 * The optional packages: package.json declares each as an optional peer dependency and a
 * devDependency at the version the refusal tells users to install, and a missing one is refused
 * naming it. (test/package/consumer.test.ts meets the refusals for real in an install without them.)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { missingOptionalPackage, OPTIONAL_PACKAGES, type OptionalPackage } from '../../src/optional-packages';

interface PackageJson {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
}

const manifest = JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as PackageJson;
const names = Object.keys(OPTIONAL_PACKAGES) as OptionalPackage[];

describe('optional packages', () => {
  it('are optional peer dependencies and devDependencies at the version named, never dependencies', () => {
    // @types/node is the one type-only peer: nothing loads it, so the refusal table does not name it.
    const loaded = Object.keys(manifest.peerDependencies).filter((name) => name !== '@types/node');
    expect(loaded.sort()).toEqual([...names].sort());
    expect(manifest.peerDependenciesMeta['@types/node']).toEqual({ optional: true });
    expect(manifest.dependencies['@types/node']).toBeUndefined();
    for (const name of names) {
      expect(manifest.peerDependenciesMeta[name]).toEqual({ optional: true });
      expect(manifest.devDependencies[name]).toBe(OPTIONAL_PACKAGES[name]);
      expect(manifest.peerDependencies[name]).toBe(`^${OPTIONAL_PACKAGES[name]}`);
      expect(manifest.dependencies[name]).toBeUndefined();
    }
  });

  it('are found where installed, and a missing one is named with the command that installs it', () => {
    for (const name of names) expect(missingOptionalPackage(name, 'x')).toBeUndefined();
    const absent = (name: string): string => {
      throw Object.assign(new Error(`Cannot find module '${name}'`), { code: 'MODULE_NOT_FOUND' });
    };
    expect(missingOptionalPackage('selfsigned', '--tls-self-signed', absent)).toBe(
      '--tls-self-signed needs the optional package selfsigned: install it next to qlik-engine-double (npm install --save-dev selfsigned@5.5.0)',
    );
  });
});
