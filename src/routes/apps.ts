/**
 * The /v1/apps operations: create, import, read, update, delete, copy, publish, unpublish, and the
 * caller's app privileges. Each handler reads the validated request, calls the model, and shapes an
 * NxApp; the pipeline has already checked the body against the contract.
 */
import type { CreateApp, PublishApp, UpdateApp } from '../spec/types';
import { toNxApp, type AppSnapshot } from '../state/apps';
import type { EngineResponse, RouteTable } from './types';

/** What an unsecured engine grants every caller on every app. */
export const ALL_APP_PRIVILEGES = ['read', 'update', 'delete', 'reload', 'import', 'publish', 'duplicate', 'export', 'exportdata'];
/** GET /v1/apps/privileges items (the published spec's enum). */
export const GLOBAL_APP_PRIVILEGES = ['can_create_app', 'can_import_app'];
/** Owner of apps made by a caller without an identity. */
export const ANONYMOUS_OWNER = 'anonymous';

function nxApp(app: AppSnapshot): EngineResponse {
  return { status: 200, body: toNxApp(app, ALL_APP_PRIVILEGES) };
}

export const appRoutes: RouteTable = {
  'POST /v1/apps': ({ body }, { model }) => nxApp(model.createApp((body as CreateApp).attributes, ANONYMOUS_OWNER)),

  'POST /v1/apps/import': ({ body, query }, { model }) => {
    const mode = query.mode as 'NEW' | 'AUTOREPLACE' | undefined;
    return nxApp(model.importApp(body as Buffer, { name: query.name, mode }, ANONYMOUS_OWNER));
  },

  'GET /v1/apps/privileges': () => ({ status: 200, body: GLOBAL_APP_PRIVILEGES }),

  'GET /v1/apps/{appId}': ({ params }, { model }) => nxApp(model.getApp(params.appId!)),

  'PUT /v1/apps/{appId}': ({ params, body }, { model }) => nxApp(model.updateApp(params.appId!, (body as UpdateApp).attributes)),

  'DELETE /v1/apps/{appId}': ({ params }, { model }) => {
    model.deleteApp(params.appId!);
    return { status: 200 };
  },

  'POST /v1/apps/{appId}/copy': ({ params, body }, { model }) =>
    nxApp(model.copyApp(params.appId!, (body as UpdateApp).attributes, ANONYMOUS_OWNER)),

  'PUT /v1/apps/{appId}/publish': ({ params, body }, { model }) =>
    nxApp(model.publishApp(params.appId!, (body as PublishApp | undefined)?.stream)),

  'PUT /v1/apps/{appId}/unpublish': ({ params }, { model }) => nxApp(model.unpublishApp(params.appId!)),
};
