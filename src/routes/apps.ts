/**
 * The /v1/apps operations: create, import, read, update, delete, copy, publish, unpublish, and the
 * caller's app privileges. Each handler reads the validated request, calls the model, and shapes an
 * NxApp; the pipeline has already checked the body against the contract and admitted the caller
 * (src/auth), whose identity owns what it makes and whose privileges the responses report.
 */
import type { CallerAccess } from '../auth/gatekeeper';
import { doubleError } from '../errors';
import { appDocumentProblems } from '../scenarios/validate';
import { toNxApp, type AppSnapshot } from '../state/apps';
import { readImportedFile } from '../state/import-file';
import type { EngineResponse, RouteTable } from './types';

function nxApp(app: AppSnapshot, access: CallerAccess): EngineResponse {
  return { status: 200, body: toNxApp(app, access.appPrivileges(app.attributes)) };
}

export const appRoutes: RouteTable = {
  'POST /v1/apps': ({ body }, { model, identity, access }) => nxApp(model.createApp(body.attributes, identity.sub), access),

  'POST /v1/apps/import': ({ body, query }, { model, identity, access }) => {
    const file = readImportedFile(body);
    // A JSON app document is checked against the contract like a scenario's app, before anything is stored.
    const problems = file.kind === 'appDocument' ? appDocumentProblems(file.document, 'POST /v1/apps/import body') : [];
    if (problems.length > 0) throw doubleError('invalidImport', problems);
    return nxApp(model.importApp(body, { name: query.name, mode: query.mode }, identity.sub, file), access);
  },

  'GET /v1/apps/privileges': (_request, { access }) => ({ status: 200, body: access.globalPrivileges() }),

  'GET /v1/apps/{appId}': ({ params }, { model, access }) => nxApp(model.getApp(params.appId), access),

  'PUT /v1/apps/{appId}': ({ params, body }, { model, access }) => nxApp(model.updateApp(params.appId, body.attributes), access),

  'DELETE /v1/apps/{appId}': ({ params }, { model }) => {
    model.deleteApp(params.appId);
    return { status: 200 };
  },

  'POST /v1/apps/{appId}/copy': ({ params, body }, { model, identity, access }) =>
    nxApp(model.copyApp(params.appId, body.attributes, identity.sub), access),

  'PUT /v1/apps/{appId}/publish': ({ params, body }, { model, access }) =>
    nxApp(model.publishApp(params.appId, body?.stream), access),

  'PUT /v1/apps/{appId}/unpublish': ({ params }, { model, access }) => nxApp(model.unpublishApp(params.appId), access),
};
