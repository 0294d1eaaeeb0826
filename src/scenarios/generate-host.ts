/**
 * Runs a scenario's generator in a worker thread (generate-worker.ts). Made on the main thread,
 * `large`'s 5,000 apps cost little CPU per slice but tens of megabytes of objects, and the garbage
 * collections they caused paused every other request 20-70 ms. The worker sends the apps back
 * PROGRESS_STEP at a time as JSON text in one transferred buffer (GeneratedApps): bytes outside the
 * main thread's heap, handed over without a copy, that its collector neither copies nor traces.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { doubleError, type DoubleError } from '../errors';
import { appendGeneratedApps, noGeneratedApps, type GeneratedApps } from '../state/generated-apps';
import type { AppGenerator } from './types';

/** Told how many of a generator's apps are made (every PROGRESS_STEP apps and at the end), for a progress line. */
export type GenerationProgress = (done: number, total: number) => void;
/** How many apps are made between two progress reports, and how many a worker sends at once. */
export const PROGRESS_STEP = 250;

/** What a worker is given. */
export interface GenerationTask {
  generator: AppGenerator;
  seed: number;
  /** The worker thread's nice value (Linux): background work, below the thread that answers. */
  priority: number;
}

/** See GenerationTask.priority. */
const GENERATION_PRIORITY = 10;

/** A worker's messages: a batch of apps, then END. */
export type GenerationMessage = GeneratedApps | typeof END;
export const END = 'end';

export interface WorkerOptions {
  onProgress?: GenerationProgress;
  /** Aborting it ends the worker; the promise then rejects. */
  signal?: AbortSignal;
}

const WORKER_FILE = 'generate-worker.js';

/**
 * The compiled worker: beside this file once built (dist, the package, the image); the package's
 * own dist when this file runs as TypeScript source (jest), which `npm test` builds first.
 */
function generateWorkerFile(): string {
  const file = __filename.endsWith('.js') ? path.join(__dirname, WORKER_FILE) : path.join(__dirname, '..', '..', 'dist', 'src', 'scenarios', WORKER_FILE);
  if (!fs.existsSync(file)) throw new Error(`the scenario generator's worker ${file} is missing: run npm run build`);
  return file;
}

function generationFailed(reason: string): DoubleError {
  return doubleError('invalidScenario', { detail: `generate.apps: the apps could not be made: ${reason}`, source: { pointer: '/generate/apps' } });
}

/** The apps of one `generate.apps` block, made in a worker thread: the same apps as on this thread, byte for byte. */
export function generateInWorker(generator: AppGenerator, seed: number, options: WorkerOptions = {}): Promise<GeneratedApps> {
  const { onProgress, signal } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(generationFailed('the double stopped'));
      return;
    }
    const task: GenerationTask = { generator, seed, priority: GENERATION_PRIORITY };
    const worker = new Worker(generateWorkerFile(), { workerData: task });
    const apps = noGeneratedApps();
    const stop = () => void worker.terminate();
    signal?.addEventListener('abort', stop, { once: true });
    let settled = false;
    const settle = (error?: DoubleError) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', stop);
      if (error === undefined) resolve(apps);
      else reject(error);
    };
    worker.on('message', (message: GenerationMessage) => {
      if (message === END) {
        settle();
        return;
      }
      appendGeneratedApps(apps, message);
      onProgress?.(apps.ids.length, generator.count);
    });
    worker.on('error', (error) => settle(generationFailed(error.message)));
    worker.on('exit', (code) => settle(generationFailed(signal?.aborted ? 'the double stopped' : `its worker thread ended (exit code ${code}) before the last app`)));
  });
}
