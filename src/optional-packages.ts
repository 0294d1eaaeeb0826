/**
 * Optional peer dependencies: parts of the double few users need are not installed with the
 * package, which keeps a plain install small (docs/benchmark.md, "Install size"). Each is resolved
 * where it is needed; where it is missing, the refusal names the package and how to install it.
 * package.json lists each under peerDependencies (optional) and devDependencies (the version the
 * tests use, given here; test/unit/optional-packages.test.ts keeps the two in step).
 */

/** Each optional package, with the version to install. */
export const OPTIONAL_PACKAGES = {
  /** Prism: the spec-examples mode's answers. */
  '@stoplight/prism-http': '5.12.0',
  /** The throwaway CA and certificate of --tls-self-signed. */
  selfsigned: '5.5.0',
} as const;

export type OptionalPackage = keyof typeof OPTIONAL_PACKAGES;

/**
 * Undefined when `name` is installed where the double runs; else what to tell the user, e.g.
 * `--tls-self-signed needs the optional package selfsigned: install it next to qlik-engine-double (npm install --save-dev selfsigned@5.5.0)`.
 * Resolving costs a path lookup, not the package's import.
 */
export function missingOptionalPackage(name: OptionalPackage, neededBy: string, resolve: (name: string) => string = require.resolve): string | undefined {
  try {
    resolve(name);
    return undefined;
  } catch {
    return `${neededBy} needs the optional package ${name}: install it next to qlik-engine-double (npm install --save-dev ${name}@${OPTIONAL_PACKAGES[name]})`;
  }
}
