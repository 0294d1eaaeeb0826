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
