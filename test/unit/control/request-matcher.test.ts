import { journalHeaders, redactJson, redactQuery } from '../../../src/control/redact';
import { recordBody } from '../../../src/control/recorded-request';
import { jsonContains, matches, matcherDifferences, type RecordedRequest } from '../../../src/control/request-matcher';
import { Journal, MAX_NEAR_MISSES } from '../../../src/control/journal';
import { Stubs, type StubContract } from '../../../src/control/stubs';

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

// Describing a difference can serialise a recorded body of up to 64 KB (JSON.stringify): matching
// stubs, counting and finding hits must not, only the near misses a search reports.
describe('matching describes nothing', () => {
  const body = recordBody({ name: 'real', payload: 'x'.repeat(60_000) }, 65_536);
  const posted = request({ method: 'POST', pathname: '/v1/apps', body });
  const subset = (name: string) => ({ body: { subset: { name } } });
  afterEach(() => jest.restoreAllMocks());

  it('matches agrees with matcherDifferences and stops without serialising the body', () => {
    const stringify = jest.spyOn(JSON, 'stringify');
    expect(matches(subset('other'), posted)).toBe(false);
    expect(matches({ method: 'PUT', ...subset('other') }, posted)).toBe(false);
    expect(matches(subset('real'), posted)).toBe(true);
    expect(stringify).not.toHaveBeenCalled();
    stringify.mockRestore();
    expect(matcherDifferences(subset('other'), posted)).toEqual([{ field: 'body', expected: 'contains {"name":"other"}', actual: JSON.stringify(body!.json) }]);
  });

  it('a request passes stubs that miss without describing how, and the highest priority stub answers', () => {
    const contract: StubContract = { engineOperation: () => undefined, resolve: () => 'none', responseProblems: () => [], knownOperation: () => true };
    let id = 0;
    const stubs = new Stubs(() => (id += 1));
    const stub = (name: string, status: number, priority?: number) => ({ request: subset(name), response: { status }, contract: 'off' as const, ...(priority !== undefined ? { priority } : {}) });
    stubs.replace(Array.from({ length: 50 }, (_, n) => stub(`stub-${n}`, 200)), contract);
    stubs.add([stub('real', 201), stub('real', 202, -1), stub('other', 203, 1)], contract);
    const stringify = jest.spyOn(JSON, 'stringify');
    expect(stubs.take(posted)?.response.status).toBe(201); // after the 51 that miss
    expect(stringify).not.toHaveBeenCalled();
    expect(stubs.list().map((s) => s.response.status)).toEqual([203, ...Array<number>(50).fill(200), 201, 202]);
  });

  it('count and a find with hits describe nothing; a find without describes only the near misses it reports', () => {
    const journal = new Journal(100, 10_000_000);
    const other = recordBody({ name: 'other', payload: 'y'.repeat(60_000) }, 65_536);
    for (let n = 0; n < 20; n += 1) {
      const sent = { query: {}, headers: {}, body: n % 2 === 0 ? body : other };
      journal.record({ time: new Date().toISOString(), method: 'POST', path: '/v1/apps', status: 201, durationMs: 1, requestViolations: [], responseViolations: [], request: sent });
    }
    const stringify = jest.spyOn(JSON, 'stringify');
    expect(journal.count(subset('real'), '')).toBe(10);
    expect(journal.find({ ...subset('real'), status: 201 }, '').count).toBe(10);
    expect(journal.count(subset('nobody'), '')).toBe(0);
    expect(stringify).not.toHaveBeenCalled();
    const search = journal.find(subset('nobody'), '');
    expect(search.nearMisses).toHaveLength(MAX_NEAR_MISSES);
    // Two texts (what was wanted, what was sent) for each reported near miss, none for the 15 others.
    expect(stringify).toHaveBeenCalledTimes(2 * MAX_NEAR_MISSES);
    expect(search.nearMisses.map((miss) => miss.entry.sequence)).toEqual([20, 19, 18, 17, 16]);
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
