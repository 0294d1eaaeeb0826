import { EngineModel } from '../../../src/state/engine';
import type { SessionSink } from '../../../src/state/live-sessions';

// Checked by `npm run typecheck`: what a session sink takes is the contract's Session, named.
const listSession = (sink: SessionSink): void => sink.upsertSession({ sessionid: 's', userid: 'u', appid: 'a', tenantid: '', ttl: 5, state: 'stalled' });
// @ts-expect-error the contract's Session.state is "active" or "stalled"
const badState = (sink: SessionSink): void => sink.upsertSession({ sessionid: 's', userid: 'u', state: 'gone' });
// @ts-expect-error a listed session is named by its sessionid and userid
const unnamed = (sink: SessionSink): void => sink.upsertSession({ sessionid: 's' });

describe('the sessions a sink lists', () => {
  it('are the contract sessions the world lists', () => {
    const model = new EngineModel();
    listSession(model);
    expect(model.listSessions()).toEqual([{ sessionid: 's', userid: 'u', appid: 'a', tenantid: '', ttl: 5, state: 'stalled' }]);
    expect([badState, unnamed]).toHaveLength(2);
  });
});
