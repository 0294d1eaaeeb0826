/**
 * Coverage of the engine's contract: how often each operation was answered with each status,
 * counted by the pipeline for every engine request it answers (unbounded counters, unlike the
 * journal's ring), so a CI job can see which operations and documented statuses its suite never
 * touched. Control calls are not counted: they are not the engine's.
 */
import type { OperationSpec } from '../spec/operations';
import type { CoverageReport, OperationCoverage } from '../spec/types';

/** Status → how many answers had it. */
export type StatusCounts = Record<string, number>;

/**
 * The report GET /__control/coverage answers, as the control contract (spec/control-api.json)
 * types it: per operation (`METHOD /path/template`) the requests answered, the documented
 * statuses with their counts (0 when never answered) and the undocumented ones (refusals, errors,
 * injected faults); the summary counts operations and documented (operation, status) pairs
 * exercised, with their percentages.
 */
export type { CoverageReport, CoverageSummary, OperationCoverage } from '../spec/types';

/** A share in percent, to one decimal; 0 of 0 is 0. */
function percentOf(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 1000) / 10;
}

/** The report for `operations` (in their order) from the counts per operation id. Pure. */
export function coverageReport(
  operations: readonly Pick<OperationSpec, 'id' | 'responses'>[],
  counts: ReadonlyMap<string, ReadonlyMap<number, number>>,
  since: Date,
): CoverageReport {
  let statuses = 0;
  let statusesExercised = 0;
  const rows = operations.map((operation): OperationCoverage => {
    const seen = counts.get(operation.id) ?? new Map<number, number>();
    const documented: StatusCounts = {};
    for (const status of Object.keys(operation.responses)) {
      documented[status] = seen.get(Number(status)) ?? 0;
      statuses += 1;
      if (documented[status] > 0) statusesExercised += 1;
    }
    const undocumented: StatusCounts = {};
    let requests = 0;
    for (const [status, count] of [...seen].sort(([a], [b]) => a - b)) {
      requests += count;
      if (!(String(status) in documented)) undocumented[String(status)] = count;
    }
    return { operation: operation.id, requests, documented, undocumented };
  });
  const exercised = rows.filter((row) => row.requests > 0).length;
  return {
    since: since.toISOString(),
    summary: {
      operations: rows.length,
      exercised,
      percent: percentOf(exercised, rows.length),
      statuses,
      statusesExercised,
      statusPercent: percentOf(statusesExercised, statuses),
    },
    operations: rows,
  };
}

/** The counters of one double, for every namespace together. */
export class Coverage {
  private counts = new Map<string, Map<number, number>>();
  private since = new Date();

  record(operationId: string, status: number): void {
    let statuses = this.counts.get(operationId);
    if (!statuses) {
      statuses = new Map();
      this.counts.set(operationId, statuses);
    }
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  }

  /** Counting starts again from zero, now. */
  reset(): void {
    this.counts = new Map();
    this.since = new Date();
  }

  report(operations: readonly Pick<OperationSpec, 'id' | 'responses'>[]): CoverageReport {
    return coverageReport(operations, this.counts, this.since);
  }
}
