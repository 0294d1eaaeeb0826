/**
 * The admission stage of the pipeline: between request validation and the handler, it finds who
 * is calling (bearer token → identity, or 401) and whether they hold the operation's
 * `x-qlik-permission` on the app it addresses (or 403), before any state is touched. Each engine
 * model carries the `security` section of the scenario it was made from, so every namespace and
 * every scenario switch keeps the rules of its own document.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { doubleError, type DoubleError } from '../errors';
import type { OperationSpec } from '../spec/operations';
import type { EngineModel } from '../state/engine';
import { ANONYMOUS_IDENTITY, type Identity } from './identity';
import {
  GLOBAL_PRIVILEGES,
  appPrivileges,
  compileSecurity,
  decide,
  globalPrivileges,
  isAction,
  verificationKey,
  type Action,
  type AppTarget,
  type JwtKeys,
  type SecurityPolicy,
} from './policy';
import { bearerToken, identityFromToken, unauthorized, type VerificationKey } from './tokens';

/** What the caller may do, for the privileges a response reports. */
export interface CallerAccess {
  /** NxApp.privileges of the caller on `app`. */
  appPrivileges(app: AppTarget): string[];
  /** GET /v1/apps/privileges items of the caller. */
  globalPrivileges(): string[];
}

/** An admitted caller: who, and what they may do. */
export interface Caller {
  identity: Identity;
  access: CallerAccess;
}

/** Engine operations answered without a token even when authentication is required: orchestrators probe them. */
export const OPEN_OPERATIONS: ReadonlySet<string> = new Set(['GET /health', 'GET /healthcheck']);
/** Same user and same X-Qlik-Session value share one session (trackSessions). */
export const SESSION_HEADER = 'x-qlik-session';
/** Longest X-Qlik-Session value accepted; a longer one is a 400. */
export const MAX_SESSION_ID_LENGTH = 256;

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function forbidden(identity: Identity, action: Action, appId: string | undefined): DoubleError {
  const who = identity.authenticated ? `The user ${JSON.stringify(identity.sub)}` : 'A caller without a token';
  const where = appId === undefined ? 'which this operation needs' : `on the app ${JSON.stringify(appId)}, which this operation needs`;
  return doubleError('forbidden', {
    detail: `${who} does not hold the action "${action}" ${where}.`,
    ...(appId !== undefined ? { source: { parameter: 'appId' } } : {}),
    meta: { missing: action, ...(appId !== undefined ? { appId } : {}) },
  });
}

function callerOf(policy: SecurityPolicy | undefined, identity: Identity): Caller {
  return {
    identity,
    access: {
      appPrivileges: (app) => appPrivileges(policy, identity, app),
      globalPrivileges: () => globalPrivileges(policy, identity),
    },
  };
}

/** The X-Qlik-Session value; undefined when absent or empty; a 400 when longer than MAX_SESSION_ID_LENGTH. */
export function qlikSessionHeader(headers: IncomingHttpHeaders): string | undefined {
  const value = firstValue(headers[SESSION_HEADER]);
  if (value === undefined || value === '') return undefined;
  if (value.length > MAX_SESSION_ID_LENGTH) {
    throw doubleError('invalidParameter', {
      detail: `The ${SESSION_HEADER} header is ${value.length} characters long; at most ${MAX_SESSION_ID_LENGTH} are accepted.`,
      source: { header: SESSION_HEADER },
      meta: { rule: 'maxLength', limit: MAX_SESSION_ID_LENGTH },
    });
  }
  return value;
}

function sessionId(identity: Identity, headers: IncomingHttpHeaders): string {
  return qlikSessionHeader(headers) ?? identity.sub;
}

/** Authentication and authorization for every request of one double (see the module comment). */
export class Gatekeeper {
  private readonly override: VerificationKey | undefined;
  private readonly policies = new WeakMap<EngineModel, SecurityPolicy | null>();

  /** `keys` (--jwt-secret, --jwt-public-key) replace every scenario's own key; a bad one throws here. */
  constructor(keys: JwtKeys = {}) {
    this.override = verificationKey(keys);
  }

  /**
   * The policy of the scenario `model` was made from, compiled on first use; undefined for an
   * unsecured scenario. Throws doubleError('invalidScenario') for a bad security section.
   */
  policyOf(model: EngineModel): SecurityPolicy | undefined {
    let policy = this.policies.get(model);
    if (policy === undefined) {
      policy = compileSecurity(model.security, this.override) ?? null;
      this.policies.set(model, policy);
    }
    return policy ?? undefined;
  }

  /**
   * Admits a validated request or throws its 401/403. Unsecured scenarios, control operations and
   * OPEN_OPERATIONS admit everyone as the anonymous identity without reading a token. With
   * trackSessions, an admitted authenticated caller's session is added or refreshed: the only
   * change admission makes, and only once the request is admitted. Answers at once (no promise)
   * when no token is to be verified.
   */
  admit(operation: OperationSpec, params: Record<string, string>, headers: IncomingHttpHeaders, model: EngineModel): Caller | Promise<Caller> {
    const policy = this.policyOf(model);
    if (policy === undefined || operation.source !== 'engine' || OPEN_OPERATIONS.has(operation.id)) return callerOf(policy, ANONYMOUS_IDENTITY);
    return this.admitWithPolicy(policy, operation, params, headers, model);
  }

  private async admitWithPolicy(policy: SecurityPolicy, operation: OperationSpec, params: Record<string, string>, headers: IncomingHttpHeaders, model: EngineModel): Promise<Caller> {
    const identity = await identityOf(policy, headers);
    const appId = params.appId;
    if (operation.permission !== undefined) authorize(policy, identity, operation.permission, appId, model);
    if (policy.trackSessions && identity.authenticated) {
      const session = sessionId(identity, headers);
      model.upsertSession({
        sessionid: session,
        userid: identity.sub,
        tenantid: identity.tenantId ?? '',
        ttl: 0,
        state: 'active',
        ...(appId !== undefined && model.hasApp(appId) ? { appid: appId } : {}),
      });
    }
    return callerOf(policy, identity);
  }

  /**
   * The caller of a QIX websocket (who, and their privileges on apps): the same bearer token as REST calls, read once at the upgrade.
   * Throws the 401 a refused token gets; an unsecured scenario admits the anonymous identity.
   */
  async identify(headers: IncomingHttpHeaders, model: EngineModel): Promise<Caller> {
    const policy = this.policyOf(model);
    if (policy === undefined) return callerOf(undefined, ANONYMOUS_IDENTITY);
    return callerOf(policy, await identityOf(policy, headers));
  }

  /** Throws the 403 when the access rules do not give `identity` the action on the app (QIX OpenDoc). */
  authorizeApp(identity: Identity, action: Action, appId: string, model: EngineModel): void {
    const policy = this.policyOf(model);
    if (policy !== undefined) authorize(policy, identity, action, appId, model);
  }
}

/** Who the bearer token says the caller is (anonymous without one where the scenario allows it); throws the 401. */
async function identityOf(policy: SecurityPolicy, headers: IncomingHttpHeaders): Promise<Identity> {
  const token = bearerToken(headers.authorization);
  if (token === undefined && policy.authenticationRequired) throw unauthorized('missing');
  return token === undefined ? ANONYMOUS_IDENTITY : identityFromToken(token, policy.tokens);
}

function authorize(policy: SecurityPolicy, identity: Identity, permission: string, appId: string | undefined, model: EngineModel): void {
  if (!isAction(permission)) throw new Error(`the contract names the unknown permission ${JSON.stringify(permission)}`);
  // An app action asked of no app (GET /v1/apps/privileges needs "read") only describes the caller
  // to itself: every admitted caller may ask, or a client could not learn that it may do nothing.
  if (appId === undefined && GLOBAL_PRIVILEGES[permission] === undefined) return;
  // Decided before looking for the app: a caller without the action learns nothing about an id (403, never 404).
  const app = appId === undefined ? undefined : { id: appId, ...(model.hasApp(appId) ? { owner: model.getApp(appId).attributes.owner } : {}) };
  const decision = decide(policy, identity, permission, app);
  if (!decision.allowed) throw forbidden(identity, decision.missing, appId);
}
