/**
 * Child process of the worlds benchmark: an in-process double of the package tree given as the
 * first argument (this one's, or main's built into .tmp), started on `large` with a body limit that
 * takes the state document of `large` (21 MB). Prints its URL as one
 * JSON line; answers each IPC message "memory" with process.memoryUsage() taken after a full
 * garbage collection (run with --expose-gc), so heap figures are what is still held.
 */
import path from 'node:path';

interface DoubleApi {
  startEngineDouble(options: { port: number; host: string; scenario: string; maxNamespaces: number; bodyLimit: string }): Promise<{ url: string }>;
}

async function main(): Promise<void> {
  const tree = process.argv[2];
  if (tree === undefined) throw new Error('usage: worlds-child <package tree>');
  const api = require(path.join(tree, 'dist', 'src', 'index.js')) as DoubleApi;
  const started = performance.now();
  const engine = await api.startEngineDouble({ port: 0, host: '127.0.0.1', scenario: 'large', maxNamespaces: 1_000, bodyLimit: '100mb' });
  process.stdout.write(`${JSON.stringify({ url: engine.url, startMs: performance.now() - started })}\n`);
  process.on('message', (message) => {
    if (message !== 'memory') return;
    (globalThis as { gc?: () => void }).gc?.();
    process.send?.(process.memoryUsage());
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
