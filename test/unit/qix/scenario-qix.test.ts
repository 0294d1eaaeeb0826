/** An app's QIX side in a scenario: checked by the scenario schema and the model, kept through export and copy. */
import { scenarioProblems } from '../../../src/scenarios/validate';
import { EngineModel } from '../../../src/state/engine';

const app = (qix: unknown) => ({ name: 'qix', apps: [{ attributes: { id: 'a', name: 'A' }, qix }] });

it('accepts layout, properties and script, and refuses other shapes with a pointer', () => {
  expect(scenarioProblems(app({ layout: { qHasData: true }, properties: { x: 1 }, script: 'LOAD 1;' }), 'test')).toEqual([]);
  expect(scenarioProblems(app({ script: 1 }), 'test')).toEqual([expect.objectContaining({ source: { pointer: '/apps/0/qix/script' } })]);
  expect(scenarioProblems(app({ layuot: {} }), 'test')).toEqual([expect.objectContaining({ source: { pointer: '/apps/0/qix/layuot' }, meta: expect.objectContaining({ rule: 'additionalProperties' }) })]);
  // The model refuses a document that skipped the schema too.
  expect(() => EngineModel.fromScenario(app({ layout: [] }) as never)).toThrow(/qix.layout/);
});

it('exports what QIX set, and a copy of the app takes it along', () => {
  const model = EngineModel.fromScenario(app({ script: 'LOAD 1;' }) as never);
  model.setQixProperties('a', { qTitle: 'Renamed', description: 'D', color: 'red' });
  expect(model.getApp('a').attributes).toMatchObject({ name: 'Renamed', description: 'D' });
  expect(model.toScenario().apps?.[0]?.qix).toEqual({ script: 'LOAD 1;', properties: { color: 'red' } });
  const copy = model.copyApp('a', undefined, 'me');
  expect(model.qixView(copy.attributes.id).qix).toEqual({ script: 'LOAD 1;', properties: { color: 'red' } });
});
