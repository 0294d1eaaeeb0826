import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Folders of scenario files for one test file: `folder(name, files)` fills one under a temporary directory. */
export interface ScenarioFolders {
  folder(name: string, files: Record<string, string>): string;
  /** The temporary directory the folders are made in (a path under it may be left absent). */
  readonly workdir: string;
}

/** Makes the temporary directory before the file's tests and removes it after them. */
export function scenarioFolders(prefix: string): ScenarioFolders {
  let workdir = '';
  beforeAll(() => {
    workdir = mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  afterAll(() => rmSync(workdir, { recursive: true, force: true }));
  return {
    folder(name, files) {
      const dir = path.join(workdir, name);
      mkdirSync(dir);
      for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
      return dir;
    },
    get workdir() {
      return workdir;
    },
  };
}
