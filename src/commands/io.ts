import fs from 'node:fs';
import path from 'node:path';

/**
 * Where a command writes and how it fails, passed in by src/cli.ts: commands stay free of
 * `process`, and tests can run them with plain functions.
 */
export interface CommandIo {
  /** The command's report (stdout in the CLI). */
  write: (text: string) => void;
  /** Called once when the command's verdict is a failure (the CLI sets exit code 1). */
  fail: () => void;
}

/** Writes a report file (--junit), making its folder first as CI report paths expect (reports/x.xml). */
export function writeReport(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}
