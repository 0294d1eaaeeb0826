/**
 * The worker thread of generateInWorker (generate-host.ts): makes the apps of one generator and
 * posts them as text, PROGRESS_STEP apps a message, then END.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { addGeneratedApp, noGeneratedApps } from '../state/generated-apps';
import { eachGeneratedApp } from './generate';
import { END, PROGRESS_STEP, type GenerationMessage, type GenerationTask } from './generate-host';

const port = parentPort;
if (port === null) throw new Error('generate-worker runs as a worker thread (generateInWorker)');
const { generator, seed } = workerData as GenerationTask;
const post = (message: GenerationMessage) => port.postMessage(message);
let batch = noGeneratedApps();
for (const app of eachGeneratedApp(generator, seed)) {
  addGeneratedApp(batch, app);
  if (batch.ids.length === PROGRESS_STEP) {
    post(batch);
    batch = noGeneratedApps();
  }
}
if (batch.ids.length > 0) post(batch);
post(END);
