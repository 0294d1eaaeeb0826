/** Worlds over one shared base: each keeps only what it changes, and no change crosses worlds. */
import { EngineModel, type WorldBase } from '../../../src/state/engine';
import type { ScenarioDocument } from '../../../src/scenarios/types';
import { testOptions } from './helpers';

const DOC: ScenarioDocument = {
  name: 'three',
  apps: ['a', 'b', 'c'].map((id) => ({ attributes: { id, name: id.toUpperCase() }, media: { 'f.txt': { text: id } }, dataModel: { static_byte_size: 1, fields: [], tables: [] } })),
  sessions: [{ sessionid: 's1', userid: 'u1', appid: 'a', state: 'active' }],
};

function worlds(): { base: WorldBase; one: EngineModel; two: EngineModel } {
  const options = testOptions();
  const base = EngineModel.baseOf(DOC, options);
  return { base, one: EngineModel.over(base, options), two: EngineModel.over(base, options) };
}

const ids = (model: EngineModel): string[] => model.listApps().map((app) => app.attributes.id);

describe('worlds over a shared base', () => {
  test('every kind of write stays in the world that made it', () => {
    const { base, one, two } = worlds();
    const before = two.toScenario();
    one.updateApp('a', { name: 'renamed' });
    one.publishApp('b', 'stream');
    one.deleteApp('c');
    one.putMediaFile('a', 'g.txt', Buffer.from('new'));
    one.deleteMedia('b', 'f.txt');
    one.setScript('a', 'LOAD 1;');
    one.setQixProperties('b', { qTitle: 'via qix', extra: 1 });
    one.copyApp('a', undefined, 'bob');
    one.createApp({ name: 'fresh' }, 'alice');
    one.upsertSession({ sessionid: 's2', userid: 'u2' });
    one.condition = 'busy';
    expect(two.toScenario()).toEqual(before);
    expect(EngineModel.over(base).toScenario()).toEqual(before);
    expect(one.getApp('a').attributes.name).toBe('renamed');
    expect(one.listMedia('a', '', 'r')).toEqual(['f.txt', 'g.txt']);
    expect(one.listSessions()).toHaveLength(2);
  });

  test('a replaced app keeps its place, a removed base app added again goes to the end, as in one Map', () => {
    const { one } = worlds();
    one.updateApp('b', { name: 'B2' });
    expect(ids(one)).toEqual(['a', 'b', 'c']);
    one.deleteApp('a');
    const document = Buffer.from(JSON.stringify({ attributes: { id: 'a', name: 'back' } }));
    one.importApp(document, { mode: 'AUTOREPLACE' }, 'alice');
    expect(ids(one)).toEqual(['b', 'c', 'a']);
    expect(one.getApp('a').attributes.name).toBe('back');
  });

  test('a transaction that fails puts back every change of the overlay, order included', () => {
    const { one } = worlds();
    const created = one.createApp({ name: 'x' }, 'alice').attributes.id;
    const before = one.toScenario();
    expect(() =>
      one.transaction(() => {
        one.deleteApp('b');
        one.deleteApp(created);
        one.updateApp('a', { name: 'gone' });
        one.putMediaFile('c', 'g.txt', Buffer.from('g'));
        one.createApp({ name: 'y' }, 'alice');
        one.importApp(Buffer.from(JSON.stringify({ attributes: { id: 'b', name: 'again' } })), { mode: 'AUTOREPLACE' }, 'alice');
        throw new Error('refused at the last step');
      }, () => true),
    ).toThrow('refused at the last step');
    expect(one.toScenario()).toEqual(before);
    expect(ids(one)).toEqual(['a', 'b', 'c', created]);
  });

  test('a transaction is a layer: kept, the world reads exactly as if it had made the writes itself (order included)', () => {
    const write = (model: EngineModel, created: string): void => {
      model.deleteApp('b');
      model.importApp(Buffer.from(JSON.stringify({ attributes: { id: 'b', name: 'again' } })), { mode: 'AUTOREPLACE' }, 'alice');
      model.deleteApp(created);
      model.importApp(Buffer.from(JSON.stringify({ attributes: { id: created, name: 'back' } })), { mode: 'AUTOREPLACE' }, 'alice');
      model.updateApp('a', { name: 'renamed' });
      model.deleteApp('c');
      model.putMediaFile('a', 'g.txt', Buffer.from('g'));
      model.createApp({ name: 'y' }, 'alice');
      model.upsertSession({ sessionid: 's2', userid: 'u2', state: 'active' });
      model.removeSession('s1', 'u1');
      model.condition = 'busy';
    };
    const [direct, layered] = [0, 1].map(() => {
      const options = testOptions();
      const model = EngineModel.over(EngineModel.baseOf(DOC, options), options);
      return { model, created: model.createApp({ name: 'x' }, 'alice').attributes.id };
    });
    write(direct!.model, direct!.created);
    layered!.model.transaction(() => write(layered!.model, layered!.created), () => true);
    expect(layered!.model.toScenario()).toEqual(direct!.model.toScenario());
    expect(ids(layered!.model)).toEqual(['a', 'b', 'app-1', 'app-2']);
    expect(ids(layered!.model)).toEqual(ids(direct!.model));
  });

  test('a dropped transaction leaves sessions, condition and counters as they were', () => {
    const { one } = worlds();
    const before = JSON.stringify({ scenario: one.toScenario(), usage: one.usage() });
    one.transaction(() => {
      one.upsertSession({ sessionid: 's2', userid: 'u2', state: 'active' });
      one.removeSession('s1', 'u1');
      one.condition = 'unhealthy';
      one.createApp({ name: 'x' }, 'alice');
      return 'refused';
    }, () => false);
    expect(JSON.stringify({ scenario: one.toScenario(), usage: one.usage() })).toBe(before);
  });

  test('transactions do not nest', () => {
    const { one } = worlds();
    expect(() => one.transaction(() => one.transaction(() => one.createApp(undefined, 'alice'), () => true), () => true)).toThrow('transactions do not nest');
    expect(ids(one)).toEqual(['a', 'b', 'c']);
  });

  test("the base's apps cannot be edited through a world: they are frozen", () => {
    const { base } = worlds();
    const app = base.apps.get('a')!;
    expect(Object.isFrozen(app)).toBe(true);
    expect(Object.isFrozen(app.attributes)).toBe(true);
  });
});
