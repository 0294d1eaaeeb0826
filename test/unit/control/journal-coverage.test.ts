import { Journal, type JournalEntry } from '../../../src/control/journal';
import { coverageReport } from '../../../src/control/coverage';
import type { OperationSpec } from '../../../src/spec/operations';
import { namespaceNameProblem, MAX_NAMESPACE_LENGTH } from '../../../src/control/namespaces';

function entry(namespace: string | undefined, violation = false): Omit<JournalEntry, 'sequence'> {
  return {
    time: '2024-01-01T00:00:00.000Z',
    method: 'GET',
    path: '/health',
    ...(namespace !== undefined ? { namespace } : {}),
    status: 200,
    durationMs: 1,
    requestViolations: [],
    responseViolations: violation ? [{ detail: 'broken' }] : [],
  };
}

describe('Journal', () => {
  it('keeps the most recent entries up to its capacity, oldest first', () => {
    const journal = new Journal(3);
    for (let i = 0; i < 5; i += 1) journal.record(entry(''));
    expect(journal.list().map((e) => e.sequence)).toEqual([3, 4, 5]);
  });

  it('lists and clears one namespace, leaving the others in order; refused namespaces go with the default one', () => {
    const journal = new Journal(10);
    journal.record(entry('a'));
    journal.record(entry(''));
    journal.record(entry('b', true));
    journal.record(entry(undefined));
    journal.record(entry('a', true));
    expect(journal.list({ namespace: 'a' }).map((e) => e.sequence)).toEqual([1, 5]);
    expect(journal.list({ namespace: '' }).map((e) => e.sequence)).toEqual([2, 4]);
    expect(journal.violations({ namespace: 'b' }).map((e) => e.sequence)).toEqual([3]);
    journal.clear({ namespace: 'a' });
    expect(journal.list().map((e) => e.sequence)).toEqual([2, 3, 4]);
    journal.record(entry('a'));
    expect(journal.list().map((e) => e.sequence)).toEqual([2, 3, 4, 6]);
    journal.clear();
    expect(journal.list()).toEqual([]);
  });
});

describe('coverageReport', () => {
  it('counts documented statuses (0 when unseen), lists the undocumented apart and sums up', () => {
    const operations: Pick<OperationSpec, 'id' | 'responses'>[] = [
      { id: 'GET /a', responses: { '200': { description: '' }, '404': { description: '' } } },
      { id: 'GET /b', responses: { '200': { description: '' } } },
      { id: 'GET /c', responses: { '200': { description: '' } } },
    ];
    const counts = new Map([
      ['GET /a', new Map([[200, 3], [400, 1]])],
      ['GET /b', new Map([[503, 2]])],
    ]);
    const report = coverageReport(operations, counts, new Date('2024-01-01T00:00:00.000Z'));
    expect(report).toEqual({
      since: '2024-01-01T00:00:00.000Z',
      summary: { operations: 3, exercised: 2, percent: 66.7, statuses: 4, statusesExercised: 1, statusPercent: 25 },
      operations: [
        { operation: 'GET /a', requests: 4, documented: { '200': 3, '404': 0 }, undocumented: { '400': 1 } },
        { operation: 'GET /b', requests: 2, documented: { '200': 0 }, undocumented: { '503': 2 } },
        { operation: 'GET /c', requests: 0, documented: { '200': 0 }, undocumented: {} },
      ],
    });
  });
});

describe('namespaceNameProblem', () => {
  it.each(['w1', 'worker-3', 'a.b_c', 'A', 'x'.repeat(MAX_NAMESPACE_LENGTH)])('accepts %s', (name) => {
    expect(namespaceNameProblem(name)).toBeUndefined();
  });

  it.each(['', '-lead', '.hidden', 'a b', 'a/b', 'ä', 'a, b', 'x'.repeat(MAX_NAMESPACE_LENGTH + 1)])('refuses %j', (name) => {
    expect(namespaceNameProblem(name)).toBeDefined();
  });
});
