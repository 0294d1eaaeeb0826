/**
 * The built CLI (run `npm run build` first): `token` mints what a secured `serve` accepts, and the
 * serve flags --jwt-secret / --jwt-public-key replace the scenario's key.
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { SignJWT, exportSPKI, generateKeyPair } from 'jose';
import { CLI, serveCli, type ServedCli } from '../support/cli';

const BOARD = '5ec0a9e1-0000-4000-8000-000000000001';
const SCENARIO_SECRET = 'qlik-engine-double-secured-test-secret';
const run = promisify(execFile);
/** This process's environment without the JWT variables, which the CLI reads. */
const { JWT_SECRET: _secret, JWT_PUBLIC_KEY: _publicKey, ...CLEAN_ENV } = process.env;

/** Runs `token` with `args`; resolves with its stdout, or rejects with its exit code and stderr. */
async function token(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const { stdout } = await run(process.execPath, [CLI, 'token', ...args], { env: { ...CLEAN_ENV, ...env }, timeout: 10_000 });
  return stdout;
}

const serve = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  serveCli(['--port', '0', '--host', '127.0.0.1', '--scenario', 'secured', ...args], { ...CLEAN_ENV, ...env });

async function stop({ child }: ServedCli): Promise<void> {
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

async function statusOf(url: string, method: string, token: string): Promise<number> {
  return (await fetch(`${url}/v1/apps/${BOARD}`, { method, headers: { authorization: `Bearer ${token.trim()}` } })).status;
}

describe('qlik-engine-double token', () => {
  it('prints one token on one line, signed with --secret, unsigned without', async () => {
    const signedToken = await token(['--sub', 'alice', '--groups', 'viewers, finance', '--name', 'Alice', '--tenant', 't1', '--secret', 's3cret']);
    expect(signedToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const [header, payload] = signedToken.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toEqual({ sub: 'alice', groups: ['viewers', 'finance'], name: 'Alice', tenantId: 't1', iat: expect.any(Number) });
    expect(await token(['--sub', 'bob'])).toMatch(/^eyJhbGciOiJub25lIn0\.[\w-]+\.\n$/);
  });

  it('exits 1 naming the problem for a missing --sub or a bad --expires-in', async () => {
    await expect(token([])).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining("required option '--sub <user>'") });
    await expect(token(['--sub', 'a', '--expires-in', 'soon'])).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('time span') });
  });
});

describe('a secured serve and the token CLI together', () => {
  it('accepts what token mints with the scenario secret (also from JWT_SECRET) and refuses the rest', async () => {
    const served = await serve([]);
    try {
      const viewer = await token(['--sub', 'viewer', '--secret', SCENARIO_SECRET, '--expires-in', '5m']);
      const admin = await token(['--sub', 'root', '--groups', 'admins'], { JWT_SECRET: SCENARIO_SECRET });
      const unsigned = await token(['--sub', 'admin']);
      const expired = await token(['--sub', 'admin', '--secret', SCENARIO_SECRET, '--expires-in', '-1h']);
      expect(await statusOf(served.url, 'GET', viewer)).toBe(200);
      expect(await statusOf(served.url, 'DELETE', viewer)).toBe(403);
      expect(await statusOf(served.url, 'GET', admin)).toBe(200);
      expect(await statusOf(served.url, 'GET', unsigned)).toBe(401);
      expect(await statusOf(served.url, 'GET', expired)).toBe(401);
    } finally {
      await stop(served);
    }
  });

  it('--jwt-secret replaces the scenario secret', async () => {
    const served = await serve(['--jwt-secret', 'from-the-command-line']);
    try {
      expect(await statusOf(served.url, 'GET', await token(['--sub', 'viewer', '--secret', 'from-the-command-line']))).toBe(200);
      expect(await statusOf(served.url, 'GET', await token(['--sub', 'viewer', '--secret', SCENARIO_SECRET]))).toBe(401);
    } finally {
      await stop(served);
    }
  });

  it('takes an empty JWT_SECRET as none, and refuses to start with both a secret and a public key', async () => {
    const served = await serve([], { JWT_SECRET: '', JWT_PUBLIC_KEY: '' });
    try {
      expect(await statusOf(served.url, 'GET', await token(['--sub', 'viewer', '--secret', SCENARIO_SECRET]))).toBe(200);
    } finally {
      await stop(served);
    }
    const { publicKey } = await generateKeyPair('ES256');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-double-key-'));
    const file = path.join(dir, 'public.pem');
    fs.writeFileSync(file, await exportSPKI(publicKey));
    try {
      await expect(serve(['--jwt-secret', 's', '--jwt-public-key', file])).rejects.toThrow(/exited 1 before listening: .*not both/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--jwt-public-key verifies RS256 tokens with a PEM file, and a missing file stops the start', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-double-key-'));
    const file = path.join(dir, 'public.pem');
    fs.writeFileSync(file, await exportSPKI(publicKey));
    const served = await serve(['--jwt-public-key', file]);
    try {
      const rs256 = await new SignJWT({ sub: 'viewer' }).setProtectedHeader({ alg: 'RS256' }).sign(privateKey);
      expect(await statusOf(served.url, 'GET', rs256)).toBe(200);
      expect(await statusOf(served.url, 'GET', await token(['--sub', 'viewer', '--secret', SCENARIO_SECRET]))).toBe(401);
    } finally {
      await stop(served);
      fs.rmSync(dir, { recursive: true, force: true });
    }
    await expect(serve(['--jwt-public-key', path.join(dir, 'gone.pem')])).rejects.toThrow(/cannot read .*gone\.pem \(ENOENT\)/);
  });
});
