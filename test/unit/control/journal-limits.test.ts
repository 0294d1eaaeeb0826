/** Issue 12, item 1: a journal entry never grows with its request. */
import { doubleError, MAX_ERROR_ENTRIES, MAX_ERROR_TEXT } from '../../../src/errors';
import { Journal } from '../../../src/control/journal';

describe('Journal.record', () => {
  it(`keeps at most ${MAX_ERROR_ENTRIES} violations of each kind and a count of the rest, each text clipped`, () => {
    const journal = new Journal(2);
    const problems = Array.from({ length: 300 }, (_, i) => ({ detail: `problem ${i} ${'x'.repeat(i === 0 ? 50_000 : 10)}`, source: { pointer: `/${i}` } }));
    // Entries from two refusals joined, as proxy mode does: more than one DoubleError's worth.
    const requestViolations = [...doubleError('invalidBody', problems).entries, ...doubleError('invalidParameter', problems).entries];
    const entry = journal.record({ time: new Date().toISOString(), method: 'POST', path: '/x', durationMs: 1, requestViolations, responseViolations: problems });
    for (const list of [entry.requestViolations, entry.responseViolations]) {
      expect(list).toHaveLength(MAX_ERROR_ENTRIES + 1);
      expect(list[0]!.detail.length).toBeLessThanOrEqual(MAX_ERROR_TEXT);
      expect(list[MAX_ERROR_ENTRIES]!.detail).toMatch(/^and \d+ more problems not listed$/);
    }
    expect(entry.requestViolations[MAX_ERROR_ENTRIES]).toMatchObject({ code: 'INVALID_BODY', meta: { unlisted: 500 } }); // 600 problems, 100 listed
  });
});
