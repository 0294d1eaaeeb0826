/**
 * `check --as-real-clients`: the calls go out as real clients send them (JSON without Content-Type,
 * curl's import type, %2F media paths); a double answers them as the engine does, and the check
 * lists the warnings the double journaled for them, without failing.
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEngineDouble, type EngineDouble } from '../../src/index';
import { runCheck } from '../../src/check/runner';
import { runCli, tableRow } from '../support/cli';

describe('check --as-real-clients against a double', () => {
  let engine: EngineDouble;
  beforeAll(async () => {
    engine = await startEngineDouble({ port: 0, log: () => undefined });
  });
  afterAll(() => engine.close());

  it('passes every call and reports the tolerated deviations of its own calls', async () => {
    const result = await runCheck({ baseUrl: engine.url, mutating: true, asRealClients: true, timeoutMs: 5000 });
    expect(result.calls.filter((call) => call.outcome !== 'ok').map((call) => call.name)).toEqual([]);
    const warned = Object.fromEntries(result.calls.filter((call) => call.warnings).map((call) => [call.name, call.warnings!.map((w) => w.split(':')[0])]));
    expect(warned).toEqual({
      'POST /v1/apps': ['CONTENT_TYPE_TOLERATED'],
      'PUT /v1/apps/{appId}': ['CONTENT_TYPE_TOLERATED'],
      'PUT /v1/apps/{appId}/media/files/{path}': ['ENCODED_SEPARATOR_TOLERATED'],
      'GET /v1/apps/{appId}/media/files/{path}': ['ENCODED_SEPARATOR_TOLERATED'],
      'POST /v1/apps/{appId}/copy': ['CONTENT_TYPE_TOLERATED'],
      'PUT /v1/apps/{appId}/publish': ['CONTENT_TYPE_TOLERATED'],
      'POST /v1/apps/import': ['CONTENT_TYPE_TOLERATED'],
      'DELETE /v1/apps/{appId}/media/files/{path}': ['ENCODED_SEPARATOR_TOLERATED'],
    });
    // The list call names a folder of one segment: nothing to encode.
    expect(await engine.violations()).toEqual([]);
  });

  it('without the flag sends what the contract declares: no warnings', async () => {
    const result = await runCheck({ baseUrl: engine.url, mutating: true, timeoutMs: 5000 });
    expect(result.calls.some((call) => call.warnings)).toBe(false);
    expect((await engine.journal()).filter((entry) => entry.time >= result.startedAt && entry.requestWarnings)).toEqual([]);
  });

  it('prints them under the table and in the JUnit report from the CLI', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'check-real-clients-'));
    try {
      const junit = path.join(dir, 'report.xml');
      const run = await runCli(['check', engine.url, '--mutating', '--as-real-clients', '--junit', junit]);
      expect(run.code).toBe(0);
      expect(tableRow(run.stdout, 'POST /v1/apps/import')[2]).toBe('ok');
      expect(run.stdout).toMatch(/tolerated as real engines tolerate them[^\n]*\n(?:  .*\n)*  POST \/v1\/apps\/import: CONTENT_TYPE_TOLERATED: POST \/v1\/apps\/import declares application\/octet-stream; the request sent Content-Type application\/x-www-form-urlencoded/);
      expect(readFileSync(junit, 'utf8')).toMatch(/<testcase [^>]*name="POST \/v1\/apps\/import"[^>]*>\s*<system-out>CONTENT_TYPE_TOLERATED: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
