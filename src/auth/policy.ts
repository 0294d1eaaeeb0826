/**
 * Who may do what: a scenario's `security` section compiled once into a policy, and the one pure
 * decision `(policy, identity, action, app?) → allowed | missing action` that every app route and
 * every privileges list asks. No policy (a scenario without `security`) is an unsecured engine:
 * every caller holds every action.
 */
import { doubleError, type Problem } from '../errors';
import type { Identity } from './identity';
import { JWT_VALIDATIONS, publicKey, secretKey, type JwtValidation, type TokenSettings, type VerificationKey } from './tokens';

/** What the contract's `x-qlik-permission` names, plus the privileges engines report beside them. */
export const ACTIONS = ['create', 'import', 'read', 'update', 'delete', 'duplicate', 'publish', 'reload', 'export', 'exportdata', 'approve'] as const;
/** One action a rule may grant and an operation may need. */
export type Action = (typeof ACTIONS)[number];
/** In a rule's `actions`: every action. */
export const EVERY_ACTION = '*';
/** What a rule's `actions` and `ownerActions` list. */
export type RuleAction = Action | typeof EVERY_ACTION;

/** Actions on no app in particular, with the GET /v1/apps/privileges item each one grants. */
export const GLOBAL_PRIVILEGES: Readonly<Partial<Record<Action, string>>> = { create: 'can_create_app', import: 'can_import_app' };

/** NxApp.privileges of a caller holding every action on an app, in the order a real engine's import answer lists them. */
export const APP_PRIVILEGES: readonly Action[] = ['read', 'create', 'update', 'delete', 'reload', 'import', 'export', 'exportdata', 'publish', 'duplicate', 'approve'];

/** One grant of a scenario's `security.rules`. */
export interface AccessRule {
  /** `sub` claims it applies to; "*" is every authenticated caller. */
  users?: string[];
  /** Groups (the `groups` claim) it applies to. */
  groups?: string[];
  /** true: it applies to callers without a token (possible when authentication is optional). */
  anonymous?: boolean;
  /** The actions it grants; "*" grants all. */
  actions: RuleAction[];
  /** App ids it is limited to; absent: every app, and the global actions (create, import). */
  apps?: string[];
}

/** A scenario's `security` section: present, the engine is secured (see docs/security.md). */
export interface ScenarioSecurity {
  /** `required` (default): a request without a token gets 401. `optional`: it runs as the anonymous identity. */
  authentication?: 'required' | 'optional';
  jwt?: {
    /** Default: `signed` with a key, `decode` without. */
    validate?: JwtValidation;
    /** Shared secret for HS256/384/512. */
    secret?: string;
    /** PEM public key (RSA, or EC on P-256/P-384/P-521) for RS256/384/512 or ES256/384/512. */
    publicKey?: string;
  };
  rules?: AccessRule[];
  /** What an app's owner (attributes.owner equal to the caller's sub) holds on it; default every action. */
  ownerActions?: RuleAction[];
  /** true: every admitted authenticated request adds or refreshes the caller's entry in GET /sessions. */
  trackSessions?: boolean;
}

/** Keys given outside the scenario (--jwt-secret, --jwt-public-key); they replace the scenario's. */
export interface JwtKeys {
  secret?: string;
  /** PEM text of a public key. */
  publicKey?: string;
}

interface CompiledRule {
  everyUser: boolean;
  users: ReadonlySet<string>;
  groups: ReadonlySet<string>;
  anonymous: boolean;
  actions: ReadonlySet<Action>;
  apps?: ReadonlySet<string>;
}

/** A scenario's security section, checked and ready for decisions. */
export interface SecurityPolicy {
  authenticationRequired: boolean;
  tokens: TokenSettings;
  rules: readonly CompiledRule[];
  ownerActions: ReadonlySet<Action>;
  trackSessions: boolean;
}

/** The app a decision is about: its id and, when it exists, its owner. */
export interface AppTarget {
  id: string;
  owner?: string;
}

/** The answer of decide: allowed, or the action the caller lacks. */
export type Decision = { allowed: true } | { allowed: false; missing: Action };

/** True for the names in ACTIONS (not "*"). */
export function isAction(value: unknown): value is Action {
  return typeof value === 'string' && (ACTIONS as readonly string[]).includes(value);
}

/** The key of `keys`, or undefined without one; throws a plain Error for a bad or doubled key. */
export function verificationKey(keys: JwtKeys): VerificationKey | undefined {
  if (keys.secret !== undefined && keys.publicKey !== undefined) throw new Error('give a JWT secret (--jwt-secret, jwt.secret) or a public key (--jwt-public-key, jwt.publicKey), not both');
  if (keys.secret !== undefined) return secretKey(keys.secret);
  if (keys.publicKey !== undefined) return publicKey(keys.publicKey);
  return undefined;
}

function problem(pointer: string, message: string, rule: string): Problem {
  return { detail: `${pointer}: ${message}`, source: { pointer }, meta: { rule } };
}

function actionSet(actions: unknown, pointer: string, problems: Problem[]): Set<Action> {
  if (!Array.isArray(actions)) {
    problems.push(problem(pointer, 'must be an array of actions', 'type'));
    return new Set();
  }
  const set = new Set<Action>();
  actions.forEach((action: unknown, index) => {
    if (action === EVERY_ACTION) ACTIONS.forEach((a) => set.add(a));
    else if (isAction(action)) set.add(action);
    else problems.push(problem(`${pointer}/${index}`, `must be "*" or one of ${ACTIONS.join(', ')}`, 'enum'));
  });
  return set;
}

function compileRule(rule: AccessRule, pointer: string, problems: Problem[]): CompiledRule {
  const users = rule.users ?? [];
  const groups = rule.groups ?? [];
  if (users.length === 0 && groups.length === 0 && rule.anonymous !== true) {
    problems.push(problem(pointer, 'names nobody: give users, groups or anonymous: true', 'selector'));
  }
  return {
    everyUser: users.includes('*'),
    users: new Set(users),
    groups: new Set(groups),
    anonymous: rule.anonymous === true,
    actions: actionSet(rule.actions, `${pointer}/actions`, problems),
    ...(rule.apps !== undefined ? { apps: new Set(rule.apps) } : {}),
  };
}

function keyOf(jwt: ScenarioSecurity['jwt'], problems: Problem[]): VerificationKey | undefined {
  try {
    return verificationKey({ ...(jwt?.secret !== undefined ? { secret: jwt.secret } : {}), ...(jwt?.publicKey !== undefined ? { publicKey: jwt.publicKey } : {}) });
  } catch (error) {
    problems.push(problem('/security/jwt', (error as Error).message, 'key'));
    return undefined;
  }
}

/**
 * The policy of a scenario's `security` section; undefined without one (an unsecured engine).
 * `override` (a key from --jwt-secret or --jwt-public-key) replaces the section's own key. Throws
 * doubleError('invalidScenario') naming every problem: signed validation without a key, a secret
 * and a public key together, a key that does not parse, a rule naming nobody, unknown actions.
 */
export function compileSecurity(section: ScenarioSecurity | undefined, override?: VerificationKey): SecurityPolicy | undefined {
  if (section === undefined) return undefined;
  const problems: Problem[] = [];
  const authentication = section.authentication ?? 'required';
  if (authentication !== 'required' && authentication !== 'optional') {
    problems.push(problem('/security/authentication', 'must be required or optional', 'enum'));
  }
  const key = override ?? keyOf(section.jwt, problems);
  const validation = section.jwt?.validate ?? (key ? 'signed' : 'decode');
  if (!JWT_VALIDATIONS.includes(validation)) {
    problems.push(problem('/security/jwt/validate', `must be one of ${JWT_VALIDATIONS.join(', ')}`, 'enum'));
  } else if (validation === 'signed' && key === undefined && !problems.some((p) => p.meta?.rule === 'key')) {
    problems.push(problem('/security/jwt/validate', 'is signed, but no key verifies signatures: set jwt.secret or jwt.publicKey, or start with --jwt-secret or --jwt-public-key', 'key'));
  }
  const rules = (section.rules ?? []).map((rule, index) => compileRule(rule, `/security/rules/${index}`, problems));
  const ownerActions = actionSet(section.ownerActions ?? [EVERY_ACTION], '/security/ownerActions', problems);
  if (problems.length > 0) throw doubleError('invalidScenario', problems);
  return {
    authenticationRequired: authentication === 'required',
    tokens: { validation, ...(key ? { key } : {}) },
    rules,
    ownerActions,
    trackSessions: section.trackSessions === true,
  };
}

function ruleApplies(rule: CompiledRule, identity: Identity): boolean {
  if (!identity.authenticated) return rule.anonymous;
  return rule.everyUser || rule.users.has(identity.sub) || identity.groups.some((group) => rule.groups.has(group));
}

/**
 * May `identity` do `action`, on `app` or (without one) globally? The app's owner holds the
 * policy's ownerActions on it; a rule grants its actions to the callers it names, on its apps or,
 * without `apps`, everywhere. The anonymous identity owns nothing. No policy allows everything.
 */
export function decide(policy: SecurityPolicy | undefined, identity: Identity, action: Action, app?: AppTarget): Decision {
  if (policy === undefined) return { allowed: true };
  if (app !== undefined && identity.authenticated && app.owner === identity.sub && policy.ownerActions.has(action)) return { allowed: true };
  const granted = policy.rules.some(
    (rule) => rule.actions.has(action) && (rule.apps === undefined || (app !== undefined && rule.apps.has(app.id))) && ruleApplies(rule, identity),
  );
  return granted ? { allowed: true } : { allowed: false, missing: action };
}

/** NxApp.privileges: the actions `identity` holds on `app`. */
export function appPrivileges(policy: SecurityPolicy | undefined, identity: Identity, app: AppTarget): Action[] {
  return APP_PRIVILEGES.filter((action) => decide(policy, identity, action, app).allowed);
}

/** GET /v1/apps/privileges: can_create_app and can_import_app, as `identity` holds create and import. */
export function globalPrivileges(policy: SecurityPolicy | undefined, identity: Identity): string[] {
  return Object.entries(GLOBAL_PRIVILEGES)
    .filter(([action]) => decide(policy, identity, action as Action).allowed)
    .map(([, item]) => item);
}
