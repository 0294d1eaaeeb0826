/**
 * `qlik-engine-double coverage <base-url> [--min P] [--junit FILE] [--token T]`: reads a running
 * double's contract coverage (GET /__control/coverage, through the sidecar client), prints a table
 * of operations × statuses with counts, writes a JUnit report with one testcase per operation
 * (never exercised: a failure), and fails when fewer than P % of the operations were exercised.
 * The report formats are pure functions of the coverage report.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { escapeXml, junitDocument } from '../check/report';
import { connectEngineDouble } from '../client';
import { DoubleError } from '../errors';
import type { CoverageReport } from '../control/coverage';
import { writeReport, type CommandIo } from './io';

/** The testsuite's name, and every testcase's classname. */
export const COVERAGE_SUITE_NAME = 'qlik-engine-double coverage';
/** Marks a count of a status the contract does not document for the operation. */
const UNDOCUMENTED_MARK = '*';
/** A cell of a status the operation neither documents nor answered. */
const NO_CELL = '.';

function percent(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100) throw new InvalidArgumentError('expected a percentage from 0 to 100');
  return n;
}

/** The operations no request reached, in the report's order. */
function neverExercised(report: CoverageReport): string[] {
  return report.operations.filter((row) => row.requests === 0).map((row) => row.operation);
}

/** Did the report reach `min` percent of operations exercised (no minimum: always)? */
function coverageMet(report: CoverageReport, min: number | undefined): boolean {
  return min === undefined || report.summary.percent >= min;
}

/**
 * The table: one row per operation, one column per status any operation documents or answered;
 * a documented status shows its count (0 included), an undocumented one its count marked `*`.
 * Then the operations never exercised, the summary, and the verdict against `min`. Pure.
 */
export function formatCoverageTable(report: CoverageReport, min: number | undefined): string {
  const statuses = [...new Set(report.operations.flatMap((row) => [...Object.keys(row.documented), ...Object.keys(row.undocumented)]))].sort((a, b) => Number(a) - Number(b));
  const header = ['operation', 'requests', ...statuses];
  const rows = report.operations.map((row) => [
    row.operation,
    String(row.requests),
    ...statuses.map((status) => {
      const documented = row.documented[status];
      if (documented !== undefined) return String(documented);
      const undocumented = row.undocumented[status];
      return undocumented !== undefined ? `${undocumented}${UNDOCUMENTED_MARK}` : NO_CELL;
    }),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ')
      .trimEnd();
  const { summary } = report;
  const never = neverExercised(report);
  const out = [
    line(header),
    ...rows.map(line),
    '',
    `${UNDOCUMENTED_MARK} a status the contract does not document for the operation; ${NO_CELL} neither documented nor answered`,
    '',
  ];
  if (never.length > 0) out.push(`never exercised (${never.length}):`, ...never.map((operation) => `  ${operation}`), '');
  out.push(
    `operations exercised: ${summary.exercised} of ${summary.operations} (${summary.percent}%); documented statuses answered: ${summary.statusesExercised} of ${summary.statuses} (${summary.statusPercent}%), since ${report.since}`,
  );
  if (min !== undefined) {
    out.push(coverageMet(report, min) ? `passed: ${summary.percent}% of operations exercised, minimum ${min}%` : `FAILED: ${summary.percent}% of operations exercised, under the minimum ${min}%`);
  }
  return `${out.join('\n')}\n`;
}

/** How an operation was answered, for its testcase's output: "200: 7, 404: 2 (undocumented 500: 1)". */
function countsText(row: CoverageReport['operations'][number]): string {
  const list = (counts: Record<string, number>) =>
    Object.entries(counts)
      .map(([status, count]) => `${status}: ${count}`)
      .join(', ');
  const undocumented = Object.keys(row.undocumented).length > 0 ? ` (undocumented ${list(row.undocumented)})` : '';
  return `${row.requests} request${row.requests === 1 ? '' : 's'}; ${list(row.documented)}${undocumented}`;
}

/** A JUnit XML report: one testsuite, one testcase per operation; never exercised is a failure. Pure. */
export function formatCoverageJUnit(report: CoverageReport, baseUrl: string, min: number | undefined): string {
  const never = new Set(neverExercised(report));
  const testcases = report.operations.map((row) => {
    const open = `    <testcase classname="${escapeXml(COVERAGE_SUITE_NAME)}" name="${escapeXml(row.operation)}" time="0">`;
    const failure = never.has(row.operation) ? [`      <failure message="${escapeXml(`${row.operation} was never exercised`)}" type="coverage"/>`] : [];
    return [open, ...failure, `      <system-out>${escapeXml(countsText(row))}</system-out>`, '    </testcase>'].join('\n');
  });
  return junitDocument({
    name: COVERAGE_SUITE_NAME,
    tests: report.operations.length,
    failures: never.size,
    skipped: 0,
    timeSeconds: '0',
    timestamp: report.since,
    properties: { baseUrl, percent: String(report.summary.percent), ...(min !== undefined ? { min: String(min) } : {}) },
    testcases,
  });
}

interface CoverageFlags {
  min?: number;
  junit?: string;
  token?: string;
}

/** The `coverage` command, for `program.addCommand(coverageCommand(io))`. */
export function coverageCommand(io: CommandIo): Command {
  return new Command('coverage')
    .description("print a running double's contract coverage (operations × statuses); exit 1 under --min")
    .argument('<base-url>', 'the double, e.g. http://localhost:9076')
    .addOption(new Option('--min <percent>', 'fail when fewer than this percentage of the operations were exercised').argParser(percent))
    .option('--junit <file>', 'write a JUnit XML report (one testcase per operation) to this file')
    .addOption(new Option('--token <token>', "the double's control token").env('CONTROL_TOKEN'))
    .action(async (url: string, flags: CoverageFlags) => {
      // An empty value (CONTROL_TOKEN= in a compose file) means none, as for serve.
      const engine = await connectEngineDouble(url, flags.token ? { token: flags.token } : {}).catch((error: unknown) => {
        if (error instanceof DoubleError && error.status === 401) {
          throw new Error(`${error.message}; give it with --token T (or CONTROL_TOKEN)${flags.token ? ': the one given was refused' : ''}`);
        }
        throw error;
      });
      const report = await engine.coverage();
      io.write(formatCoverageTable(report, flags.min));
      if (flags.junit !== undefined) writeReport(flags.junit, formatCoverageJUnit(report, engine.url, flags.min));
      if (!coverageMet(report, flags.min)) io.fail();
    });
}
