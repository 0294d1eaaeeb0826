import { escapeXml, formatJUnit, formatTable } from '../../../src/check/report';
import type { CheckResult } from '../../../src/check/runner';

const result: CheckResult = {
  baseUrl: 'http://127.0.0.1:9076',
  mutating: false,
  startedAt: '2025-01-02T03:04:05.000Z',
  durationMs: 1234,
  calls: [
    { name: 'GET /health', operationId: 'GET /health', request: 'GET /health', status: 200, outcome: 'ok', durationMs: 3.4, problems: [] },
    {
      name: 'GET /healthcheck',
      operationId: 'GET /healthcheck',
      request: 'GET /healthcheck',
      status: 200,
      outcome: 'fail',
      durationMs: 12.6,
      problems: [
        { rule: 'type', detail: 'GET /healthcheck 200 body/version must be string' },
        { rule: 'content-type', detail: 'Content-Type text/html & "friends" <b> is not one it produces' },
      ],
    },
    { name: 'DELETE /v1/apps/{appId} (the app)', operationId: 'DELETE /v1/apps/{appId}', outcome: 'skipped', durationMs: 0, problems: [], skipReason: 'needs --mutating' },
  ],
};

describe('formatTable', () => {
  it('prints one aligned row per call with its first problem and a count of the rest, then the verdict', () => {
    expect(formatTable(result)).toBe(
      [
        'operation                          status  result   ms  first problem',
        'GET /health                        200     ok        3',
        'GET /healthcheck                   200     FAIL     13  type: GET /healthcheck 200 body/version must be string (+1 more)',
        'DELETE /v1/apps/{appId} (the app)  -       skipped   -  needs --mutating',
        '',
        'FAILED: 3 calls against http://127.0.0.1:9076 in 1234 ms: 1 ok, 1 failed, 1 skipped',
        '',
      ].join('\n'),
    );
  });

  it('says passed when nothing failed, and cuts a long problem', () => {
    const long = { ...result.calls[1]!, outcome: 'fail' as const, problems: [{ rule: 'flow', detail: 'x'.repeat(500) }] };
    const table = formatTable({ ...result, calls: [result.calls[0]!, result.calls[2]!] });
    expect(table).toMatch(/^passed: 2 calls .*: 1 ok, 0 failed, 1 skipped$/m);
    const cut = formatTable({ ...result, calls: [long] }).split('\n')[1]!;
    expect(cut).toMatch(/flow: x+…$/);
    expect(cut.length).toBeLessThan(250);
  });
});

describe('formatJUnit', () => {
  it('writes one testsuite with counters, one testcase per call, every problem in the failure, and a skip', () => {
    expect(formatJUnit(result)).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="qlik-engine-double check" tests="3" failures="1" errors="0" skipped="1" time="1.234">',
        '  <testsuite name="qlik-engine-double check" tests="3" failures="1" errors="0" skipped="1" time="1.234" timestamp="2025-01-02T03:04:05.000Z">',
        '    <properties>',
        '      <property name="baseUrl" value="http://127.0.0.1:9076"/>',
        '      <property name="mutating" value="false"/>',
        '    </properties>',
        '    <testcase classname="qlik-engine-double check" name="GET /health" time="0.003"/>',
        '    <testcase classname="qlik-engine-double check" name="GET /healthcheck" time="0.013">',
        '      <failure message="type: GET /healthcheck 200 body/version must be string; content-type: Content-Type text/html &#38; &#34;friends&#34; &#60;b&#62; is not one it produces" type="type">' +
          'GET /healthcheck answered 200&#10;type: GET /healthcheck 200 body/version must be string&#10;content-type: Content-Type text/html &#38; &#34;friends&#34; &#60;b&#62; is not one it produces</failure>',
        '    </testcase>',
        '    <testcase classname="qlik-engine-double check" name="DELETE /v1/apps/{appId} (the app)" time="0.000">',
        '      <skipped message="needs --mutating"/>',
        '    </testcase>',
        '  </testsuite>',
        '</testsuites>',
        '',
      ].join('\n'),
    );
  });
});

describe('escapeXml', () => {
  it('escapes markup and quotes, keeps line breaks as references, and replaces what XML cannot hold', () => {
    expect(escapeXml(`a<b>&"c'\n\t`)).toBe('a&#60;b&#62;&#38;&#34;c&#39;&#10;&#9;');
    expect(escapeXml('nul\u0000 esc\u001b lone\ud800 ok\ud83d\ude00 \uffff')).toBe('nul\ufffd esc\ufffd lone\ufffd ok\ud83d\ude00 \ufffd');
  });
});
