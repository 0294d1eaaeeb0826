/**
 * Long work written once as a generator that yields between small steps, then run either at once
 * (at start, before the double listens) or in slices that give the event loop back between them
 * (a switch while other namespaces serve): keying and checking a scenario document
 * (src/scenarios/validate.ts), copying its written apps (expandGenerators), decoding them into its
 * base (EngineModel.baseSteps).
 * Generated apps are made in a worker thread instead (generate-host.ts).
 */
export type Steps<T> = Generator<void, T, void>;

/** How long one slice runs before other work gets the event loop. */
export const SLICE_MS = 4;

/** Runs every step now. */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/** Runs the steps in slices of about `sliceMs`, letting pending I/O run between slices. */
export async function runStepsInSlices<T>(steps: Steps<T>, sliceMs = SLICE_MS): Promise<T> {
  for (;;) {
    const sliceEnd = performance.now() + sliceMs;
    for (;;) {
      const next = steps.next();
      if (next.done) return next.value;
      if (performance.now() >= sliceEnd) break;
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
