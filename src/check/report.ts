/**
 * The check's reports, pure functions of its result: a text table for people and a JUnit XML
 * document for CI (one testsuite, one testcase per call).
 */
import type { CheckProblem } from './judge';
import { checkPassed, type CallResult, type CheckResult } from './runner';

/** The testsuite's name, and every testcase's classname. */
export const JUNIT_SUITE_NAME = 'qlik-engine-double check';
/** A table cell longer than this is cut: the JUnit report and the progress lines carry the whole text. */
const MAX_PROBLEM_CELL = 160;

const OUTCOME_LABEL: Record<CallResult['outcome'], string> = { ok: 'ok', fail: 'FAIL', skipped: 'skipped' };

function problemText(problem: CheckProblem): string {
  return `${problem.rule}: ${problem.detail}`;
}

function firstProblem(call: CallResult): string {
  const first = call.problems[0];
  const text = first ? problemText(first) + (call.problems.length > 1 ? ` (+${call.problems.length - 1} more)` : '') : (call.skipReason ?? '');
  return text.length > MAX_PROBLEM_CELL ? `${text.slice(0, MAX_PROBLEM_CELL - 1)}…` : text;
}

/** How many calls ended each way. */
export function countOutcomes(result: CheckResult): Record<CallResult['outcome'], number> {
  const counts = { ok: 0, fail: 0, skipped: 0 };
  for (const call of result.calls) counts[call.outcome] += 1;
  return counts;
}

/** One line per call: operation, status, result, duration, first problem; then a summary line. */
export function formatTable(result: CheckResult): string {
  const header = ['operation', 'status', 'result', 'ms', 'first problem'];
  const rows = result.calls.map((call) => [
    call.name,
    call.status === undefined ? '-' : String(call.status),
    OUTCOME_LABEL[call.outcome],
    call.outcome === 'skipped' ? '-' : String(Math.round(call.durationMs)),
    firstProblem(call),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => (column === 3 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  const counts = countOutcomes(result);
  const verdict = checkPassed(result) ? 'passed' : 'FAILED';
  const summary = `${verdict}: ${result.calls.length} calls against ${result.baseUrl} in ${result.durationMs} ms: ${counts.ok} ok, ${counts.fail} failed, ${counts.skipped} skipped`;
  const warned = result.calls.filter((call) => call.warnings !== undefined);
  const warnings =
    warned.length === 0
      ? ''
      : `\ntolerated as real engines tolerate them (the double's requestWarnings; not failures):\n${warned.flatMap((call) => (call.warnings ?? []).map((w) => `  ${call.name}: ${w}`)).join('\n')}\n`;
  return `${[line(header), ...rows.map(line)].join('\n')}\n${warnings}\n${summary}\n`;
}

/** Characters XML 1.0 cannot hold at all (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF). */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Escapes text for an XML attribute or element; characters XML cannot hold become U+FFFD. */
export function escapeXml(text: string): string {
  return text.replace(NOT_XML, '\uFFFD').replace(/[&<>"'\n\r\t]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function testcase(call: CallResult): string {
  const open = `    <testcase classname="${escapeXml(JUNIT_SUITE_NAME)}" name="${escapeXml(call.name)}" time="${seconds(call.durationMs)}"`;
  if (call.outcome === 'ok' && call.warnings) return `${open}>\n      <system-out>${escapeXml(call.warnings.join('\n'))}</system-out>\n    </testcase>`;
  if (call.outcome === 'ok') return `${open}/>`;
  if (call.outcome === 'skipped') return `${open}>\n      <skipped message="${escapeXml(call.skipReason ?? '')}"/>\n    </testcase>`;
  const problems = call.problems.map(problemText);
  const requested = call.request ? `${call.request} answered ${call.status ?? 'nothing'}\n` : '';
  return [
    `${open}>`,
    `      <failure message="${escapeXml(problems.join('; '))}" type="${escapeXml(call.problems[0]?.rule ?? 'fail')}">${escapeXml(requested + problems.join('\n'))}</failure>`,
    '    </testcase>',
  ].join('\n');
}

/** One JUnit testsuite; `testcases` are already XML. Shared by `check` and `coverage`. */
export interface JUnitSuite {
  name: string;
  tests: number;
  failures: number;
  skipped: number;
  timeSeconds: string;
  timestamp: string;
  properties: Record<string, string>;
  testcases: string[];
}

/** A JUnit XML document holding one testsuite. Pure. */
export function junitDocument(suite: JUnitSuite): string {
  const totals = `tests="${suite.tests}" failures="${suite.failures}" errors="0" skipped="${suite.skipped}" time="${suite.timeSeconds}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${escapeXml(suite.name)}" ${totals}>`,
    `  <testsuite name="${escapeXml(suite.name)}" ${totals} timestamp="${escapeXml(suite.timestamp)}">`,
    '    <properties>',
    ...Object.entries(suite.properties).map(([name, value]) => `      <property name="${escapeXml(name)}" value="${escapeXml(value)}"/>`),
    '    </properties>',
    ...suite.testcases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** A JUnit XML report: one testsuite named JUNIT_SUITE_NAME, one testcase per call. */
export function formatJUnit(result: CheckResult): string {
  const counts = countOutcomes(result);
  return junitDocument({
    name: JUNIT_SUITE_NAME,
    tests: result.calls.length,
    failures: counts.fail,
    skipped: counts.skipped,
    timeSeconds: seconds(result.durationMs),
    timestamp: result.startedAt,
    properties: { baseUrl: result.baseUrl, mutating: String(result.mutating) },
    testcases: result.calls.map(testcase),
  });
}
