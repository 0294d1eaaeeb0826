/**
 * The Docker image's HEALTHCHECK script (dist/src/healthcheck.js) against real doubles: it finds the
 * double as serve does, from PORT, BASE_PATH and the TLS variables, and exits 0 only on a 2xx.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEngineDouble, type EngineDouble } from '../../src/index';
import { issue, makeCa } from '../support/certificates';

const SCRIPT = path.join(__dirname, '..', '..', 'dist', 'src', 'healthcheck.js');

/** The probe's exit code with these variables (and none of this process's serve variables). */
async function probe(env: Record<string, string>): Promise<number | null> {
  const { PORT, BASE_PATH, TLS_CERT, TLS_SELF_SIGNED, ...rest } = process.env;
  const child = spawn(process.execPath, [SCRIPT], { env: { ...rest, ...env }, stdio: 'ignore' });
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

const doubles: EngineDouble[] = [];
afterAll(() => Promise.all(doubles.map((d) => d.close())));

async function started(options: Parameters<typeof startEngineDouble>[0]): Promise<string> {
  const engine = await startEngineDouble({ log: () => undefined, ...options });
  doubles.push(engine);
  return String(engine.port);
}

describe('the image HEALTHCHECK script', () => {
  it('is healthy on a healthy double, and not on an unhealthy or busy one, or none', async () => {
    expect(await probe({ PORT: await started({ scenario: 'default' }) })).toBe(0);
    expect(await probe({ PORT: await started({ scenario: 'unhealthy' }) })).toBe(1);
    expect(await probe({ PORT: await started({ scenario: 'busy' }) })).toBe(1);
    const closed = await startEngineDouble({ log: () => undefined });
    const port = String(closed.port);
    await closed.close();
    expect(await probe({ PORT: port })).toBe(1);
  });

  it('asks under BASE_PATH, and over HTTPS when TLS_CERT is set', async () => {
    const ca = await makeCa('healthcheck CA');
    const cert = await issue(ca, 'localhost', 'server');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qed-healthcheck-'));
    try {
      fs.writeFileSync(path.join(dir, 'cert.pem'), cert.cert);
      const port = await started({ basePath: '/api', tls: { cert: cert.cert, key: cert.key } });
      expect(await probe({ PORT: port, BASE_PATH: '/api', TLS_CERT: path.join(dir, 'cert.pem') })).toBe(0);
      // Without the base path /health is not an operation (404); without TLS_CERT the probe speaks plain HTTP to an HTTPS port.
      expect(await probe({ PORT: port, TLS_CERT: path.join(dir, 'cert.pem') })).toBe(1);
      expect(await probe({ PORT: port, BASE_PATH: '/api' })).toBe(1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
