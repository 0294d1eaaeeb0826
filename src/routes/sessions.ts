/** GET /sessions: the engine's websocket sessions, as the scenario and the model hold them. */
import type { RouteTable } from './types';

export const sessionRoutes: RouteTable = {
  'GET /sessions': (_request, { model }) => ({ status: 200, body: model.listSessions() }),
};
