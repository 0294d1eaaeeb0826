/**
 * The media operations. Paths go to the model as they arrived (still percent-encoded) so that its
 * one normaliser sees encoded traversal attempts too. Files and the thumbnail are sent as
 * application/octet-stream, the one type the contract's `produces` declares for them, whatever the
 * file's extension: a client generated from the contract then reads bytes, not text or JSON.
 */
import type { RouteTable } from './types';

const BYTES = { 'content-type': 'application/octet-stream' };

export const mediaRoutes: RouteTable = {
  'GET /v1/apps/{appId}/media/files/{path}': ({ params, rawParams }, { model }) => {
    const file = model.getMediaFile(params.appId, rawParams.path);
    return { status: 200, body: file.bytes, headers: BYTES };
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
    const file = model.getThumbnail(params.appId);
    return { status: 200, body: file.bytes, headers: BYTES };
  },
};
