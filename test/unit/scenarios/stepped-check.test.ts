import { DoubleError, MAX_ERROR_ENTRIES } from '../../../src/errors';
import { checkScenarioDocument, prepareScenarioInWorker, scenarioProblems, validateScenarioDocument } from '../../../src/scenarios/validate';
import expected from './stepped-check.expected.json';
import { PROBLEM_DOCUMENTS } from './problem-documents';

const ORIGIN = 'scenarios/bad.yaml';

/** The refusal of a check, or undefined when the document passes. */
async function refusal(check: () => unknown): Promise<DoubleError | undefined> {
  try {
    await check();
    return undefined;
  } catch (error) {
    if (!(error instanceof DoubleError)) throw error;
    return error;
  }
}

describe('the scenario check in steps', () => {
  // stepped-check.expected.json was written by the one-piece check (AJV over the whole document) of main bf25ad6.
  it.each(Object.keys(PROBLEM_DOCUMENTS))('finds the problems the one-piece check found, in its order: %s', (name) => {
    expect(scenarioProblems(PROBLEM_DOCUMENTS[name](), ORIGIN)).toEqual((expected as Record<string, unknown>)[name]);
  });

  it.each(Object.keys(PROBLEM_DOCUMENTS))('refuses in slices (PUT /__control/state) exactly as at once: %s', async (name) => {
    const document = PROBLEM_DOCUMENTS[name]();
    const atOnce = await refusal(() => checkScenarioDocument(document, ORIGIN));
    const inSlices = await refusal(() => prepareScenarioInWorker(document, ORIGIN, { seed: 1 }));
    const problems = (expected as Record<string, unknown[]>)[name];
    expect(atOnce?.entries.length).toBe(problems.length === 0 ? undefined : Math.min(problems.length, MAX_ERROR_ENTRIES + 1));
    expect(inSlices?.entries).toEqual(atOnce?.entries);
    expect(inSlices?.message).toEqual(atOnce?.message);
  });

  it('lists 100 problems and how many more, in the order of the apps', async () => {
    const error = await refusal(() => prepareScenarioInWorker(PROBLEM_DOCUMENTS.manyProblems(), ORIGIN));
    expect(error?.entries.slice(0, 2).map((entry) => entry.source?.pointer)).toEqual(['/apps/0/attributes/published', '/apps/1/attributes/published']);
    expect(error?.entries[MAX_ERROR_ENTRIES - 1].source?.pointer).toBe('/apps/99/attributes/published');
    expect(error?.entries[MAX_ERROR_ENTRIES].detail).toMatch(/50 more/);
  });

  it('keeps one prepared document per text, origin and seed', async () => {
    const text = JSON.stringify(PROBLEM_DOCUMENTS.valid());
    const first = await prepareScenarioInWorker(JSON.parse(text), ORIGIN, { seed: 4 });
    expect(await prepareScenarioInWorker(JSON.parse(text), ORIGIN, { seed: 4 })).toBe(first);
    expect(validateScenarioDocument(JSON.parse(text), ORIGIN, { seed: 4 })).toBe(first);
    expect(validateScenarioDocument(JSON.parse(text), ORIGIN, { seed: 5 })).not.toBe(first);
    expect(validateScenarioDocument(JSON.parse(text), 'elsewhere', { seed: 4 })).not.toBe(first);
    const renamed = { ...JSON.parse(text), description: 'changed' };
    expect(validateScenarioDocument(renamed, ORIGIN, { seed: 4 })).not.toBe(first);
    // Same members and items, written in another place: another text, another document.
    const moved = JSON.parse(text);
    moved.apps.push(moved.apps.shift());
    expect(validateScenarioDocument(moved, ORIGIN, { seed: 4 })).not.toBe(first);
  });
});
