/**
 * The worker thread of generateInWorker (generate-host.ts): makes the apps of one generator and
 * posts them as text, PROGRESS_STEP apps a message (GeneratedApps of one chunk), then END.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { generatedBatches } from './generate';
import { END, type GenerationMessage, type GenerationTask } from './generate-host';

const port = parentPort;
if (port === null) throw new Error('generate-worker runs as a worker thread (generateInWorker)');
const { generator, seed, priority } = workerData as GenerationTask;
lowerThisThreadsPriority(priority);
for (const batch of generatedBatches(generator, seed)) {
  // The texts' buffer moves to the main thread: no copy.
  port.postMessage(batch satisfies GenerationMessage, batch.chunks.map((chunk) => chunk.bytes.buffer));
}
port.postMessage(END satisfies GenerationMessage);

/**
 * Makes this thread yield the CPU to the main thread, which answers requests: on a machine with
 * fewer free cores than busy threads (CI runners, a 2-core container), the kernel would otherwise
 * give the generator equal turns and delay answers by whole time slices. Linux only, where a
 * thread has a nice value of its own (/proc/thread-self names its id); elsewhere it runs as is.
 */
function lowerThisThreadsPriority(niceness: number): void {
  try {
    os.setPriority(Number(path.basename(fs.readlinkSync('/proc/thread-self'))), niceness);
  } catch {
    // No /proc (macOS, Windows) or not allowed: the generator competes at the usual priority.
  }
}
