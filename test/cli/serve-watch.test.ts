/**
 * `serve --watch`, `--cors-origin`, `--no-cors` and the journal body bounds as a user runs them:
 * the built CLI, real sockets. The watch line on stderr is awaited, never slept for.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli, serveCli, type ServedCli } from '../support/cli';
import { errorsOf } from '../support/double';

const APP_ID = '0b9d3c1e-2222-4a2b-8c3d-4e5f6a7b8c9d';
const shop = (name: string) => `name: shop\napps:\n  - attributes: { id: ${APP_ID}, name: ${name} }\n`;

async function stop(served: ServedCli): Promise<void> {
  served.child.kill('SIGTERM');
  await served.exit;
}

/** Resolves once stderr has printed a line matching `pattern`. */
function stderrLine(served: ServedCli, pattern: RegExp): Promise<string> {
  return new Promise((resolve) => {
    const check = () => {
      const line = served.stderr().split('\n').find((l) => pattern.test(l));
      if (line !== undefined) {
        served.child.stderr.off('data', check);
        resolve(line);
      }
    };
    served.child.stderr.on('data', check);
    check();
  });
}

describe('serve --watch', () => {
  it('rebuilds the world from an edited file and prints a broken edit like validate does', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qed-serve-watch-'));
    const file = path.join(dir, 'shop.yaml');
    fs.writeFileSync(file, shop('Before'));
    // WATCH from the environment turns --watch on, as in the Docker image.
    const served = await serveCli(['--port', '0', '--host', '127.0.0.1', '--scenarios-dir', dir, '--scenario', 'shop'], { ...process.env, WATCH: '1' });
    try {
      const rebuilt = stderrLine(served, /watch: .*shop\.yaml changed; scenario shop is valid, rebuilt the default namespace/);
      fs.writeFileSync(file, shop('After'));
      await rebuilt;
      const app = (await (await fetch(`${served.url}/v1/apps/${APP_ID}`)).json()) as { attributes: { name: string } };
      expect(app.attributes.name).toBe('After');
      const broken = stderrLine(served, /scenario shop is broken/);
      fs.writeFileSync(file, 'name: shop\ncondition: sideways\n');
      await broken;
      expect(served.stderr()).toMatch(/\n {2}.*shop\.yaml#\/condition .*\(enum\)/);
      const catalog = (await (await fetch(`${served.url}/__control/scenarios`)).json()) as { watch: { broken: { scenario: string }[] } };
      expect(catalog.watch.broken.map((b) => b.scenario)).toEqual(['shop']);
    } finally {
      await stop(served);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('serve --cors-origin and --no-cors', () => {
  it('allows only the listed origins (CORS_ORIGIN from the environment too)', async () => {
    const served = await serveCli(['--port', '0', '--host', '127.0.0.1'], { ...process.env, CORS_ORIGIN: 'http://localhost:5173, http://app.test' });
    try {
      const allowed = await fetch(`${served.url}/health`, { headers: { origin: 'http://app.test' } });
      expect(allowed.headers.get('access-control-allow-origin')).toBe('http://app.test');
      const other = await fetch(`${served.url}/health`, { headers: { origin: 'http://other.test' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await stop(served);
    }
  });

  it.each([
    ['--no-cors', ['--no-cors'], {}],
    ['NO_CORS from the environment', [], { NO_CORS: '1' }],
  ])('%s leaves OPTIONS to the contract (405)', async (_how, flags: string[], env: Record<string, string>) => {
    const served = await serveCli(['--port', '0', '--host', '127.0.0.1', ...flags], { ...process.env, ...env });
    try {
      const res = await fetch(`${served.url}/v1/apps`, { method: 'OPTIONS', headers: { origin: 'http://app.test', 'access-control-request-method': 'POST' } });
      expect(res.status).toBe(405);
      // The contract's answer: no CORS headers, and the methods the path has.
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(res.headers.get('allow')).toMatch(/\bPOST\b/);
      expect(errorsOf(await res.json())[0]!.code).toBe('METHOD_NOT_ALLOWED');
    } finally {
      await stop(served);
    }
  });

  it('refuses an origin with a path, saying how to write it', async () => {
    const run = await runCli(['serve', '--cors-origin', 'http://app.test/']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('write it as http://app.test');
  });
});

describe('serve --journal-body-limit', () => {
  it('keeps bodies up to the limit and larger ones as size + hash', async () => {
    const served = await serveCli(['--port', '0', '--host', '127.0.0.1', '--scenario', 'empty', '--journal-body-limit', '100']);
    try {
      const post = (name: string) => fetch(`${served.url}/v1/apps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ attributes: { name } }) });
      await post('small');
      await post('x'.repeat(200));
      const res = await fetch(`${served.url}/__control/journal/find`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ operationId: 'POST /v1/apps' }) });
      const { entries } = (await res.json()) as { entries: { request: { body: { json?: unknown; omitted?: string } } }[] };
      expect(entries.map((e) => e.request.body.omitted ?? 'kept')).toEqual(['kept', 'tooLarge']);
    } finally {
      await stop(served);
    }
  });
});

