import { journalHeaders, redactJson, redactQuery } from '../../../src/control/redact';
import { recordBody } from '../../../src/control/recorded-request';
import { jsonContains, matcherDifferences, type RecordedRequest } from '../../../src/control/request-matcher';
import { Journal } from '../../../src/control/journal';

const request = (over: Partial<RecordedRequest> = {}): RecordedRequest => ({ method: 'GET', pathname: '/v1/apps/a', query: {}, headers: {}, ...over });

describe('the matcher', () => {
  it('subset: objects by keys, arrays item by item, scalars equal', () => {
    expect(jsonContains({ a: 1, b: { c: [1, 2, 3] } }, { b: { c: [3, 1] } })).toBe(true);
    expect(jsonContains({ a: 1 }, { a: '1' })).toBe(false);
    expect(jsonContains([{ id: 1, x: 2 }], [{ id: 1 }])).toBe(true);
    expect(jsonContains({ a: [1] }, { a: { 0: 1 } })).toBe(false);
  });

  it('a repeated query parameter matches when one of its values does', () => {
    expect(matcherDifferences({ query: { tag: { equals: 'b' } } }, request({ query: { tag: ['a', 'b'] } }))).toEqual([]);
  });

  it('lists every difference', () => {
    const differences = matcherDifferences({ method: 'PUT', path: '/v1/apps', headers: { 'x-a': { absent: true } } }, request({ headers: { 'x-a': '1' } }));
    expect(differences.map((d) => d.field)).toEqual(['method', 'path', 'headers.x-a']);
  });
});

describe('redaction', () => {
  it('redacts credential headers, query parameters and JSON keys at any depth', () => {
    expect(journalHeaders({ Authorization: 'Bearer abc', cookie: 'a=b', 'x-keep': 'yes' })).toEqual({ authorization: 'Bearer [REDACTED]', cookie: '[REDACTED]', 'x-keep': 'yes' });
    expect(redactQuery({ qlikTicket: 't', access_token: 'x', mode: 'NEW' })).toEqual({ qlikTicket: '[REDACTED]', access_token: '[REDACTED]', mode: 'NEW' });
    expect(redactJson({ user: { password: 'p', name: 'n' }, list: [{ apiKey: 'k' }] })).toEqual({ user: { password: '[REDACTED]', name: 'n' }, list: [{ apiKey: '[REDACTED]' }] });
  });

  it('a recorded body holds the redacted copy; the request keeps its own', () => {
    const body = { secret: 's' };
    expect(recordBody(body, 1000)?.json).toEqual({ secret: '[REDACTED]' });
    expect(body.secret).toBe('s');
  });
});

describe('the journal\'s body bound in total', () => {
  it('reduces the oldest bodies to size + hash to stay within --journal-bodies-total', () => {
    const journal = new Journal(10, 30);
    const entry = (n: number) => ({
      time: new Date().toISOString(), method: 'POST', path: '/v1/apps', durationMs: 1, requestViolations: [], responseViolations: [],
      request: { query: {}, headers: {}, body: recordBody({ n: 'x'.repeat(10 + n) }, 1000) },
    });
    journal.record(entry(0));
    journal.record(entry(1));
    const [first, second] = journal.list();
    expect(first!.request!.body).toMatchObject({ omitted: 'journalFull' });
    expect(first!.request!.body!.json).toBeUndefined();
    expect(second!.request!.body!.json).toEqual({ n: 'x'.repeat(11) });
  });

  it('stays within the total as entries leave the journal and after a clear, the newest body always kept', () => {
    const journal = new Journal(3, 50);
    const entry = (n: number) => ({
      time: new Date().toISOString(), method: 'POST', path: '/v1/apps', durationMs: 1, requestViolations: [], responseViolations: [],
      request: { query: {}, headers: {}, body: recordBody({ n: 'x'.repeat(10 + n) }, 1000) },
    });
    const kept = () => journal.list().filter((e) => e.request?.body?.json !== undefined);
    for (let n = 0; n < 8; n++) {
      journal.record(entry(n));
      expect(journal.list().at(-1)!.request!.body!.json).toEqual({ n: 'x'.repeat(10 + n) });
      expect(kept().reduce((sum, e) => sum + e.request!.body!.size, 0)).toBeLessThanOrEqual(50);
    }
    expect(kept()).toHaveLength(2); // the last two: 24 + 25 bytes ({"n":"…"}); a third would be over 50
    journal.clear();
    journal.record(entry(12));
    journal.record(entry(0));
    expect(kept()).toHaveLength(2); // 30 + 18 bytes: what the cleared entries held no longer counts
  });
});
