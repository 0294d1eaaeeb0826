import { EngineModel, MAX_SESSIONS } from '../../../src/state/engine';

describe('EngineModel.upsertSession (trackSessions)', () => {
  it('adds a session with appid "" and refreshes it in place of a duplicate, keeping fields not given', () => {
    const model = new EngineModel();
    model.upsertSession({ sessionid: 's', userid: 'alice', state: 'active' });
    model.upsertSession({ sessionid: 's', userid: 'bob', state: 'active' });
    model.upsertSession({ sessionid: 's', userid: 'alice', appid: 'app-1', tenantid: 't' });
    expect(model.listSessions()).toEqual([
      { sessionid: 's', userid: 'bob', state: 'active', appid: '' },
      { sessionid: 's', userid: 'alice', state: 'active', appid: 'app-1', tenantid: 't' },
    ]);
  });

  it(`keeps at most ${MAX_SESSIONS} sessions, dropping the least recently refreshed`, () => {
    const model = new EngineModel();
    for (let i = 0; i < MAX_SESSIONS; i += 1) model.upsertSession({ sessionid: `s${i}`, userid: 'u' });
    model.upsertSession({ sessionid: 's0', userid: 'u' });
    model.upsertSession({ sessionid: 'new', userid: 'u' });
    const ids = model.listSessions().map((s) => s.sessionid);
    expect(ids).toHaveLength(MAX_SESSIONS);
    expect(ids).not.toContain('s1');
    expect(ids.slice(-2)).toEqual(['s0', 'new']);
  });
});
