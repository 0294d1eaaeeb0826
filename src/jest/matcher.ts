/**
 * `expect(engine).toHaveNoContractViolations()`: reads the double's journal of contract violations
 * (GET /__control/violations, of the namespace the handle addresses) and fails listing each
 * violating request. Works on what `startEngineDouble` and `connectEngineDouble` return alike.
 */
import type { EngineDoubleControl } from '../client';
import type { ErrorEntry, ErrorSource, Problem } from '../errors';
import type { JournalEntry } from '../control/journal';
import type { RequestWarning } from '../validation/tolerance';

/**
 * Anything that lists contract violations: an in-process double, a connected client, or one of
 * their namespaces.
 *
 * @example
 * const source: ViolationSource = await connectEngineDouble(process.env.ENGINE_DOUBLE_URL!);
 */
export type ViolationSource = Pick<EngineDoubleControl, 'violations'>;

/**
 * What a jest matcher returns.
 *
 * @example
 * const result: MatcherResult = await toHaveNoContractViolations(engine);
 */
export interface MatcherResult {
  pass: boolean;
  message: () => string;
}

declare global {
  // jest's global `expect` is typed by this namespace (@types/jest); the merge adds the matcher.
  namespace jest {
    // Both type parameters, as @types/jest declares them: merged declarations must match.
    interface Matchers<R, T = {}> {
      /**
       * Passes when the double (in process or connected, or one of their namespaces) journaled no
       * request or response that broke the engine's contract; else lists each such request with
       * method, path, rule, pointer and detail. Async: `await` it, or return it.
       */
      toHaveNoContractViolations(options?: ContractViolationOptions): Promise<R>;
    }
  }
}

/**
 * How the matcher treats deviations the double tolerated as real engines do (a JSON body without
 * application/json, %2F in a media path: `requestWarnings` in the journal).
 *
 * @example
 * await expect(engine).toHaveNoContractViolations({ warnings: 'fail' });
 */
export interface ContractViolationOptions {
  /** `report` (default): listed in a failure's message, never failing; `fail`: they fail the matcher too. */
  warnings?: 'report' | 'fail';
}

function isViolationSource(value: unknown): value is ViolationSource {
  return typeof (value as Partial<ViolationSource> | null)?.violations === 'function';
}

/** Where a problem sits: its JSON pointer, else the parameter or header it is about. */
function where(source: ErrorSource | undefined): string {
  if (source?.pointer !== undefined) return source.pointer;
  if (source?.parameter !== undefined) return `parameter ${source.parameter}`;
  if (source?.header !== undefined) return `header ${source.header}`;
  return '-';
}

function ruleOf(meta: Record<string, unknown> | undefined, fallback: string): string {
  return typeof meta?.rule === 'string' ? meta.rule : fallback;
}

function requestLine(entry: ErrorEntry): string {
  return `     request   rule=${ruleOf(entry.meta, entry.code)}  pointer=${where(entry.source)}  ${entry.detail}`;
}

function responseLine(problem: Problem): string {
  return `     response  rule=${ruleOf(problem.meta, 'contract')}  pointer=${where(problem.source)}  ${problem.detail}`;
}

function warningLine(warning: RequestWarning): string {
  return `     warning   code=${warning.code}  sent=${JSON.stringify(warning.sent)}  declared=${JSON.stringify(warning.declared)}  ${warning.detail}`;
}

function requestTitle(entry: JournalEntry, index: number): string {
  if (entry.qix) {
    const answer = entry.qix.error ? `error ${entry.qix.error.code} ${entry.qix.error.message}` : 'answered';
    const namespace = entry.namespace ? `, namespace ${entry.namespace}` : '';
    return `  ${index + 1}. QIX ${entry.qix.method || '(no method)'} on handle ${entry.qix.handle} over ${entry.path} → ${answer} (journal #${entry.sequence}${namespace})`;
  }
  const answer = entry.status === undefined ? 'connection dropped' : String(entry.status);
  const namespace = entry.namespace ? `, namespace ${entry.namespace}` : '';
  const operation = entry.operationId && entry.operationId !== `${entry.method} ${entry.path}` ? `, operation ${entry.operationId}` : '';
  return `  ${index + 1}. ${entry.method} ${entry.path} → ${answer} (journal #${entry.sequence}${operation}${namespace})`;
}

/**
 * The failure message: each violating request (method, path, status) with every violation of
 * its request and response (rule, pointer, detail). Pure.
 *
 * @example
 * console.log(formatContractViolations(await engine.violations()));
 */
export function formatContractViolations(entries: readonly JournalEntry[]): string {
  const isViolation = (entry: JournalEntry) => entry.requestViolations.length > 0 || entry.responseViolations.length > 0;
  const broken = entries.filter(isViolation);
  const tolerated = entries.filter((entry) => !isViolation(entry));
  const plural = (n: number) => `${n} request${n === 1 ? '' : 's'}`;
  const describeEntry = (entry: JournalEntry, index: number) => [
    requestTitle(entry, index),
    ...entry.requestViolations.map(requestLine),
    ...entry.responseViolations.map(responseLine),
    ...(entry.requestWarnings ?? []).map(warningLine),
  ];
  return [
    ...(broken.length > 0 ? [`expected no contract violations, but the double journaled ${plural(broken.length)} that broke the engine's contract:`, ...broken.flatMap(describeEntry)] : []),
    ...(tolerated.length > 0
      ? [`${plural(tolerated.length)} deviated from the contract in ways real engines tolerate (requestWarnings):`, ...tolerated.flatMap((entry, index) => describeEntry(entry, broken.length + index))]
      : []),
  ].join('\n');
}

/**
 * The matcher itself (jest calls it through `expect.extend`; qlik-engine-double/jest/matchers
 * registers it). Passes when the handle's namespace journaled no violation; a value that is not a
 * double's handle throws, so a typo never passes silently.
 *
 * @example
 * expect.extend({ toHaveNoContractViolations });
 * await expect(engine).toHaveNoContractViolations();
 */
export async function toHaveNoContractViolations(received: unknown, options: ContractViolationOptions = {}): Promise<MatcherResult> {
  if (!isViolationSource(received)) {
    throw new TypeError(
      `expect(engine).toHaveNoContractViolations() needs what startEngineDouble() or connectEngineDouble() returns (something with violations()); received ${received === null ? 'null' : typeof received}`,
    );
  }
  const entries = await received.violations({ includeWarnings: true });
  const failing = options.warnings === 'fail' ? entries : entries.filter((entry) => entry.requestViolations.length > 0 || entry.responseViolations.length > 0);
  const pass = failing.length === 0;
  return {
    pass,
    message: pass ? () => 'expected contract violations, but the double journaled none' : () => formatContractViolations(entries),
  };
}
