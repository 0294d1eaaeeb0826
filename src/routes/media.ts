/**
 * The media operations. Paths go to the model as they arrived (still percent-encoded) so that its
 * one normaliser sees encoded traversal attempts too. Files and the thumbnail are sent as
 * application/octet-stream, the one type the contract's `produces` declares for them, whatever the
 * file's extension: a client generated from the contract then reads bytes, not text or JSON. The
 * stored bytes are sent as they are (no copy per download): only the socket reads them.
 */
import type { RouteTable } from './types';

const BYTES = { 'content-type': 'application/octet-stream' };

export const mediaRoutes: RouteTable = {
  'GET /v1/apps/{appId}/media/files/{path}': ({ params, rawParams }, { model }) => {
    return { status: 200, body: model.sendableMediaFile(params.appId, rawParams.path), headers: BYTES };
  },

  'PUT /v1/apps/{appId}/media/files/{path}': ({ params, rawParams, body }, { model }) => {
    model.putMediaFile(params.appId, rawParams.path, body);
    return { status: 200 };
  },

  'DELETE /v1/apps/{appId}/media/files/{path}': ({ params, rawParams }, { model }) => {
    model.deleteMedia(params.appId, rawParams.path);
    return { status: 200 };
  },

  'GET /v1/apps/{appId}/media/list/{path}': ({ params, rawParams, query }, { model }) => ({
    status: 200,
    body: model.listMedia(params.appId, rawParams.path, query.show),
  }),

  'GET /v1/apps/{appId}/media/thumbnail': ({ params }, { model }) => {
    return { status: 200, body: model.sendableThumbnail(params.appId), headers: BYTES };
  },
};
