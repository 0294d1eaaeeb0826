/**
 * `qlik-engine-double check <base-url>`: runs the check, prints its table, writes the JUnit report
 * with --junit, and fails (exit 1) when any call failed. What it writes and how it fails come in
 * through `CheckIo`, so the CLI stays the one module that touches `process`.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { formatJUnit, formatTable } from './report';
import { checkPassed, DEFAULT_CHECK_TIMEOUT_MS, runCheck, type CallResult } from './runner';
import { baseUrlText, parseBaseUrl } from '../url';
import { writeReport } from '../commands/io';

/** Longest per-request timeout accepted: ten minutes. */
export const MAX_CHECK_TIMEOUT_MS = 600_000;
/** Most --header flags accepted. */
export const MAX_CHECK_HEADERS = 100;

/** Where the command writes, and how it reports failure. */
export interface CheckIo {
  /** The table (stdout in the CLI). */
  write: (text: string) => void;
  /** Progress lines, one per call; the CLI passes one only when stderr is a TTY. */
  progress?: (text: string) => void;
  /** Called once when the check failed (the CLI sets exit code 1). */
  fail: () => void;
}

interface CheckFlags {
  mutating?: boolean;
  timeout: number;
  header: Record<string, string>;
  junit?: string;
  asRealClients?: boolean;
}

function baseUrl(value: string): string {
  try {
    return baseUrlText(parseBaseUrl(value, 'the base URL'));
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function timeoutMs(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_CHECK_TIMEOUT_MS) throw new InvalidArgumentError(`expected milliseconds from 1 to ${MAX_CHECK_TIMEOUT_MS}`);
  return n;
}

/** RFC 9110 token characters. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Collects repeated `--header 'Name: value'` flags; a repeated name keeps the last value. */
function header(value: string, previous: Record<string, string>): Record<string, string> {
  const colon = value.indexOf(':');
  const name = value.slice(0, Math.max(colon, 0)).trim();
  const headerValue = value.slice(colon + 1).trim();
  if (colon === -1 || !HEADER_NAME.test(name)) throw new InvalidArgumentError(`expected 'Name: value', e.g. 'Authorization: Bearer eyJ…'`);
  if (/[\r\n\0]/.test(headerValue)) throw new InvalidArgumentError(`the value of ${name} has a line break or NUL`);
  const headers = { ...previous, [name.toLowerCase()]: headerValue };
  if (Object.keys(headers).length > MAX_CHECK_HEADERS) throw new InvalidArgumentError(`at most ${MAX_CHECK_HEADERS} headers`);
  return headers;
}

function progressLine(call: CallResult): string {
  const status = call.status === undefined ? '' : ` ${call.status}`;
  const took = call.outcome === 'skipped' ? '' : ` ${Math.round(call.durationMs)} ms`;
  const first = call.problems[0];
  const detail = call.skipReason ?? (first ? `${first.rule}: ${first.detail}` : undefined);
  return `check: ${call.name}${status} ${call.outcome}${took}${detail ? ` - ${detail}` : ''}\n`;
}

/** The `check` command, for `program.addCommand(checkCommand(io))`. */
export function checkCommand(io: CheckIo): Command {
  return new Command('check')
    .description('contract-test a live engine (or a double) against the engine contract; exit 1 on any violation or failure')
    .argument('<base-url>', 'the server to check, e.g. http://localhost:9076', baseUrl)
    .option('--mutating', 'also create an app, run the update / media / copy / publish / import flows on it, and remove it')
    .addOption(new Option('--timeout <ms>', 'per-request timeout in milliseconds').default(DEFAULT_CHECK_TIMEOUT_MS).argParser(timeoutMs))
    .option('--header <header>', "'Name: value' sent with every request, e.g. an Authorization header (repeatable)", header, {})
    .option('--junit <file>', 'write a JUnit XML report to this file')
    .option('--as-real-clients', "send what real clients send (JSON without Content-Type, curl's import type, %2F media paths); a double's warnings for them are listed")
    .action(async (url: string, flags: CheckFlags) => {
      const { progress } = io;
      const result = await runCheck({
        baseUrl: url,
        mutating: flags.mutating === true,
        timeoutMs: flags.timeout,
        headers: flags.header,
        asRealClients: flags.asRealClients === true,
        ...(progress ? { onCall: (call: CallResult) => progress(progressLine(call)) } : {}),
      });
      io.write(formatTable(result));
      if (flags.junit !== undefined) writeReport(flags.junit, formatJUnit(result));
      if (!checkPassed(result)) io.fail();
    });
}
