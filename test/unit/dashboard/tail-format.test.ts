/** The pure parts of `tail`: reading Server-Sent Events split anywhere, and one line per entry. */
import { formatEntry, sseParser } from '../../../src/commands/tail';

describe('sseParser', () => {
  it('reads events split across chunks, with CRLF, comments and multi-line data', () => {
    const events: unknown[] = [];
    const feed = sseParser((event) => events.push(event));
    const text = ': keep-alive\r\n\r\nevent: journal\r\nid: 7\r\ndata: {"a":\r\ndata: 1}\r\n\r\ndata: plain\n\n';
    for (const char of text) feed(char);
    expect(events).toEqual([
      { event: 'journal', id: '7', data: '{"a":\n1}' },
      { event: 'message', data: 'plain' },
    ]);
  });
});

describe('formatEntry', () => {
  const base = { sequence: 3, time: '2024-05-01T12:00:00.123Z', method: 'GET', path: '/v1/apps/x', durationMs: 1.25, requestViolations: [], responseViolations: [] };

  it('prints time, sequence, method, path, status, duration, namespace and operation', () => {
    expect(formatEntry({ ...base, operationId: 'GET /v1/apps/{appId}', namespace: 'w2', status: 404 })).toBe('12:00:00.123  #3  GET  /v1/apps/x  404  1.3ms  [w2]  (GET /v1/apps/{appId})');
  });

  it('names each violation by rule and where, and a dropped connection', () => {
    const line = formatEntry({
      ...base,
      fault: { id: 2, path: '/v1/**', drop: true },
      requestViolations: [{ code: 'INVALID_PARAMETER', title: 't', status: '400', detail: 'd', source: { parameter: 'limit' }, meta: { rule: 'minimum' } }],
      responseViolations: [{ detail: 'status 418 is not documented', meta: { rule: 'status' } }],
    });
    expect(line).toBe('12:00:00.123  #3  GET  /v1/apps/x  dropped  1.3ms  fault #2  VIOLATION minimum at limit; status');
  });
});
