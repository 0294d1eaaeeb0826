/** GET /v1/apps/{appId}/data/metadata: the app's data model, or the empty structure when it has none. */
import type { RouteTable } from './types';

export const dataRoutes: RouteTable = {
  'GET /v1/apps/{appId}/data/metadata': ({ params }, { model }) => ({ status: 200, body: model.getDataModel(params.appId) }),
};
