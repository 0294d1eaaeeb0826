/**
 * The QIX methods the double answers, on Global (handle -1) and on the app a session opened
 * (Doc), from the namespace's world. Every other method of the schema answers the engine's
 * "Method not found": never a silent success. Handlers are plain functions of (arguments,
 * context); refusals are QixErrors the door turns into JSON-RPC errors.
 */
import { randomUUID } from 'node:crypto';
import type { Action } from '../auth/policy';
import type { Identity } from '../auth/identity';
import type { FieldMetadata } from '../spec/types';
import type { EngineModel, QixAppView } from '../state/engine';
import type { LiveSession, SessionApp } from '../state/live-sessions';
import { QixError, type MethodOutcome } from './rpc';

export interface CallContext {
  model: EngineModel;
  session: LiveSession;
  identity: Identity;
  /**
   * Throws LOCERR_GENERIC_ACCESS_DENIED when the access rules (the same as REST's) do not let the
   * caller do `action` on the app: 'read' to open it, 'update' to change it.
   */
  authorize(appId: string, action: Action): void;
  /** NxApp-style privileges of the caller on an app, for qMeta.privileges. */
  privileges(appId: string): string[];
  engineVersion: string;
}

export type QixMethod = (args: Record<string, unknown>, context: CallContext) => MethodOutcome;

export const GLOBAL_HANDLE = -1;
const DOC_TYPE = 'Doc';
const SESSION_APP_PREFIX = 'SessionApp_';

/** OLE automation date (days since 1899-12-30), as qFileTime carries file times. */
function oleDate(iso: string | undefined): number {
  const ms = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(ms) ? 0 : ms / 86_400_000 + 25_569;
}

function docReturn(handle: number, appId: string): Record<string, unknown> {
  return { qType: DOC_TYPE, qHandle: handle, qGenericId: appId };
}

function requireNoOpenDoc(session: LiveSession): void {
  if (session.doc !== undefined) throw new QixError('LOCERR_APP_ALREADY_OPEN', `the session already has ${JSON.stringify(session.doc.appId)} open`);
}

/** The session app's view: a fresh, empty app named by its id. */
function sessionAppView(appId: string, app: SessionApp): QixAppView {
  return {
    attributes: { id: appId, name: appId, description: '', thumbnail: '', lastReloadTime: '' },
    hasDataModel: false,
    qix: { script: app.script, properties: app.properties },
  };
}

/**
 * The open doc, for a method that changes it: an app of the world needs the caller's 'update'
 * permission, as REST's PUT does (opening it needed only 'read'); a session app is the session's own.
 */
function docToChange(context: CallContext): ReturnType<typeof openDoc> {
  const doc = openDoc(context);
  if (!doc.sessionApp) context.authorize(doc.appId, 'update');
  return doc;
}

/** The open doc of the session, as the handle addresses it. */
function openDoc(context: CallContext): { appId: string; handle: number; view: QixAppView; sessionApp?: SessionApp } {
  const doc = context.session.doc;
  if (doc === undefined) throw new QixError('LOCERR_APP_INVALID', 'no app is open in this session');
  const view = doc.sessionApp ? sessionAppView(doc.appId, doc.sessionApp) : context.model.qixView(doc.appId);
  return { appId: doc.appId, handle: doc.handle, view, ...(doc.sessionApp ? { sessionApp: doc.sessionApp } : {}) };
}

function appLayout(view: QixAppView, context: CallContext, sessionApp: boolean): Record<string, unknown> {
  const { attributes } = view;
  const noData = context.session.doc?.noData === true;
  return {
    qTitle: attributes.name ?? '',
    qFileName: sessionApp ? '' : attributes.id,
    qLastReloadTime: attributes.lastReloadTime ?? '',
    qModified: false,
    qHasScript: (view.qix.script ?? '') !== '',
    qStateNames: [],
    qMeta: { privileges: sessionApp ? [] : context.privileges(attributes.id) },
    qLocaleInfo: {},
    qHasData: view.hasDataModel && !noData,
    qReadOnly: false,
    qIsOpenedWithoutData: noData,
    qIsSessionApp: sessionApp,
    qThumbnail: { qUrl: attributes.thumbnail ?? '' },
    qUnsupportedFeatures: [],
    description: attributes.description ?? '',
    ...view.qix.layout,
  };
}

function appProperties(view: QixAppView, engineVersion: string): Record<string, unknown> {
  const { attributes } = view;
  return {
    qTitle: attributes.name ?? '',
    qLastReloadTime: attributes.lastReloadTime ?? '',
    qMigrationHash: '',
    qSavedInProductVersion: engineVersion,
    qThumbnail: { qUrl: attributes.thumbnail ?? '' },
    qHasSectionAccess: false,
    description: attributes.description ?? '',
    ...view.qix.properties,
  };
}

/** GetTablesAndKeys from the app's data model metadata: a field in more than one table is a key. */
function tablesAndKeys(model: EngineModel, appId: string | undefined): Record<string, unknown> {
  const metadata = appId === undefined ? {} : model.getDataModel(appId);
  const fields: FieldMetadata[] = metadata.fields ?? [];
  const isKey = (field: FieldMetadata) => (field.src_tables?.length ?? 0) > 1;
  const qtr = (metadata.tables ?? []).map((table) => ({
    qName: table.name ?? '',
    qLoose: table.is_loose ?? false,
    qNoOfRows: table.no_of_rows ?? 0,
    qFields: fields
      .filter((field) => field.src_tables?.includes(table.name ?? ''))
      .map((field) => ({
        qName: field.name ?? '',
        qOriginalFields: [],
        qPresent: true,
        qHasNull: false,
        qHasWild: false,
        qHasDuplicates: (field.cardinal ?? 0) < (field.total_count ?? 0),
        qIsSynthetic: false,
        qInformationDensity: 1,
        qnNonNulls: table.no_of_rows ?? 0,
        qnRows: table.no_of_rows ?? 0,
        qSubsetRatio: 1,
        qnTotalDistinctValues: field.cardinal ?? 0,
        qnPresentDistinctValues: field.cardinal ?? 0,
        qKeyType: isKey(field) ? 'ANY_KEY' : 'NOT_KEY',
        qComment: field.comment ?? '',
        qTags: field.tags ?? [],
        qDerivedFields: [],
        qIsFieldOnTheFly: false,
        qReadableName: field.name ?? '',
      })),
    qPos: { qx: 0, qy: 0 },
    qComment: table.comment ?? '',
    qIsDirectDiscovery: false,
    qIsSynthetic: false,
    qTableTags: [],
  }));
  const qk = fields.filter(isKey).map((field) => ({ qKeyFields: [field.name ?? ''], qTables: [...(field.src_tables ?? [])] }));
  return { qtr, qk };
}

export const globalMethods: Readonly<Record<string, QixMethod>> = {
  EngineVersion: (_args, { engineVersion }) => ({ result: { qVersion: { qComponentVersion: engineVersion } } }),
  ProductVersion: (_args, { engineVersion }) => ({ result: { qReturn: engineVersion } }),
  IsDesktopMode: () => ({ result: { qReturn: false } }),
  GetUniqueID: () => ({ result: { qUniqueID: randomUUID() } }),
  GetAuthenticatedUser: (_args, { identity }) => ({ result: { qReturn: identity.sub } }),
  /** The apps the caller may open; session apps are never listed. */
  GetDocList: (_args, context) => ({
    result: {
      qDocList: context.model
        .listApps()
        .filter((app) => context.privileges(app.attributes.id).includes('read'))
        .map(({ attributes, importedFileBytes }) => ({
          qDocName: attributes.id,
          qConnectedUsers: 0,
          qFileTime: oleDate(attributes.modifiedDate),
          qFileSize: importedFileBytes ?? 0,
          qDocId: attributes.id,
          qMeta: { description: attributes.description ?? '', privileges: context.privileges(attributes.id) },
          qLastReloadTime: attributes.lastReloadTime ?? '',
          qReadOnly: false,
          qTitle: attributes.name ?? '',
          qThumbnail: { qUrl: attributes.thumbnail ?? '' },
        })),
    },
  }),
  /** Access rules first: a caller who may not open the app learns nothing about whether it exists. */
  OpenDoc: (args, context) => {
    const appId = String(args.qDocName);
    context.authorize(appId, 'read');
    if (!context.model.hasApp(appId)) throw new QixError('LOCERR_APP_NOT_FOUND', appId);
    requireNoOpenDoc(context.session);
    const handle = context.session.newHandle();
    context.session.doc = { appId, handle, noData: args.qNoData === true };
    context.model.liveSessions.changed(context.session);
    return { result: { qReturn: docReturn(handle, appId) } };
  },
  GetActiveDoc: (_args, context) => {
    const { appId, handle } = openDoc(context);
    return { result: { qReturn: docReturn(handle, appId) } };
  },
  /** A session app lives as long as its session; /sessions and /healthcheck list it as the session's app. */
  CreateSessionApp: (_args, context) => {
    requireNoOpenDoc(context.session);
    const appId = `${SESSION_APP_PREFIX}${randomUUID()}`;
    const handle = context.session.newHandle();
    context.session.doc = { appId, handle, sessionApp: { script: '', properties: {} } };
    context.model.liveSessions.changed(context.session);
    return { result: { qReturn: docReturn(handle, appId), qSessionAppId: appId } };
  },
};

export const docMethods: Readonly<Record<string, QixMethod>> = {
  GetAppLayout: (_args, context) => {
    const { view, sessionApp } = openDoc(context);
    return { result: { qLayout: appLayout(view, context, sessionApp !== undefined) } };
  },
  GetAppProperties: (_args, context) => ({ result: { qProp: appProperties(openDoc(context).view, context.engineVersion) } }),
  /** qTitle and description change the app's name and description (as REST shows them); the rest is kept as sent. */
  SetAppProperties: (args, context) => {
    const { appId, handle, sessionApp } = docToChange(context);
    const properties = args.qProp as Record<string, unknown>;
    if (sessionApp) sessionApp.properties = structuredClone(properties);
    else context.model.setQixProperties(appId, properties);
    return { result: {}, change: [handle] };
  },
  GetTablesAndKeys: (_args, context) => {
    const { appId, sessionApp } = openDoc(context);
    return { result: tablesAndKeys(context.model, sessionApp ? undefined : appId) };
  },
  GetScript: (_args, context) => ({ result: { qScript: openDoc(context).view.qix.script ?? '' } }),
  SetScript: (args, context) => {
    const { appId, handle, sessionApp } = docToChange(context);
    const script = String(args.qScript);
    if (sessionApp) sessionApp.script = script;
    else context.model.setScript(appId, script);
    return { result: {}, change: [handle] };
  },
  /** The world is in memory: saving changes nothing. */
  DoSave: (_args, context) => {
    openDoc(context);
    return { result: {} };
  },
};

/** The handlers by QIX class (the schema's struct names). */
export const IMPLEMENTED_METHODS: Readonly<Record<string, Readonly<Record<string, QixMethod>>>> = { Global: globalMethods, Doc: docMethods };
