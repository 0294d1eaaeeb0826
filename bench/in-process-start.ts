/**
 * Child process of the benchmark: times what a fresh test process pays for an in-process double,
 * i.e. require of the built package (module loading, contract compilation happens on start) and
 * startEngineDouble() until it listens, then its first answer on /health. Prints one JSON line.
 * Nothing is required before the clock starts, so module loading is counted in full.
 */
import path from 'node:path';

/** The part of the package's API this child calls (typed here so the bench compiles apart from src/). */
interface DoubleApi {
  startEngineDouble(options: { port: number; host: string }): Promise<{ url: string; close(): Promise<void> }>;
}

async function main(): Promise<void> {
  const bootMs = performance.now();
  const cpuAtBoot = process.cpuUsage();
  const api = require(path.resolve(__dirname, '..', '..', 'dist', 'src', 'index.js')) as DoubleApi;
  const requiredMs = performance.now();
  const engine = await api.startEngineDouble({ port: 0, host: '127.0.0.1' });
  const listeningMs = performance.now();
  const cpu = process.cpuUsage(cpuAtBoot);
  // node:http is loaded by the double already: requiring it here costs nothing.
  const http = require('node:http') as typeof import('node:http');
  const status = await new Promise<number>((resolve, reject) => {
    http.get(`${engine.url}/health`, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject);
  });
  const answeredMs = performance.now();
  await engine.close();
  process.stdout.write(
    `${JSON.stringify({
      status,
      nodeBootMs: bootMs,
      requireMs: requiredMs - bootMs,
      startMs: listeningMs - requiredMs,
      requireAndStartCpuMs: (cpu.user + cpu.system) / 1000,
      firstAnswerMs: answeredMs - listeningMs,
    })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
