import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

/** The built CLI, run as users run it (the test script builds first). */
export const CLI = path.join(__dirname, '../../dist/src/cli.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `qlik-engine-double ARGS` to its exit. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CliRun> {
  const child = spawn(process.execPath, [CLI, ...args], { env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

export interface ServedCli {
  child: ChildProcessWithoutNullStreams;
  url: string;
  exit: Promise<number | null>;
  stderr: () => string;
  /** What it printed up to the "listening on" line and since. */
  stdout: () => string;
}

/** Starts `qlik-engine-double serve ARGS`; resolves with the URL of its "listening on" line. */
export function serveCli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ServedCli> {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { env });
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const url = /^listening on (https?:\/\/\S+)$/m.exec(stdout)?.[1];
      if (url) resolve({ child, url, exit, stderr: () => stderr, stdout: () => stdout });
    });
    void exit.then((code) => reject(new Error(`serve exited ${code} before listening: ${stderr}`)));
  });
}

/** The row of a printed table that starts with `name`, split on runs of 2+ spaces. */
export function tableRow(table: string, name: string): string[] {
  const line = table.split('\n').find((l) => l.trimStart().startsWith(`${name}  `));
  if (!line) throw new Error(`no row for ${name} in:\n${table}`);
  return line.trim().split(/ {2,}/);
}
