import { generateKeyPairSync } from 'node:crypto';
import { DoubleError } from '../../../src/errors';
import { ANONYMOUS_IDENTITY, type Identity } from '../../../src/auth/identity';
import {
  APP_PRIVILEGES,
  appPrivileges,
  compileSecurity,
  decide,
  globalPrivileges,
  type ScenarioSecurity,
  type SecurityPolicy,
} from '../../../src/auth/policy';
import { secretKey } from '../../../src/auth/tokens';

function user(sub: string, groups: string[] = []): Identity {
  return { authenticated: true, sub, groups };
}

const SECTION: ScenarioSecurity = {
  jwt: { secret: 'policy-test-secret' },
  rules: [
    { users: ['admin'], actions: ['*'] },
    { groups: ['creators'], actions: ['create', 'import'] },
    { users: ['viewer'], groups: ['viewers'], actions: ['read'] },
    { users: ['auditor'], actions: ['read', 'export'], apps: ['app-1'] },
    { anonymous: true, actions: ['read'], apps: ['public-app'] },
  ],
};

function policy(section: ScenarioSecurity = SECTION): SecurityPolicy {
  const compiled = compileSecurity(section);
  if (!compiled) throw new Error('expected a policy');
  return compiled;
}

/** The problems compileSecurity refuses `section` with, as pointer → rule. */
function problemsOf(section: ScenarioSecurity): Record<string, unknown> {
  try {
    compileSecurity(section);
  } catch (error) {
    expect(error).toBeInstanceOf(DoubleError);
    expect((error as DoubleError).entries.every((e) => e.code === 'INVALID_SCENARIO')).toBe(true);
    return Object.fromEntries((error as DoubleError).entries.map((e) => [e.source?.pointer, e.meta?.rule]));
  }
  throw new Error('expected compileSecurity to refuse');
}

describe('compileSecurity', () => {
  it('makes no policy for a scenario without a security section: an unsecured engine', () => {
    expect(compileSecurity(undefined)).toBeUndefined();
  });

  it('defaults to required authentication, signed tokens with a key, decode without one, owners holding everything', () => {
    const withKey = policy({ jwt: { secret: 's' } });
    expect(withKey).toMatchObject({ authenticationRequired: true, tokens: { validation: 'signed' }, trackSessions: false });
    expect([...withKey.ownerActions].sort()).toEqual([...APP_PRIVILEGES].sort());
    expect(policy({}).tokens).toEqual({ validation: 'decode' });
    expect(policy({ authentication: 'optional', trackSessions: true })).toMatchObject({ authenticationRequired: false, trackSessions: true });
  });

  it('uses a key given from outside in place of the scenario own', () => {
    const override = secretKey('from-the-command-line');
    expect(compileSecurity({ jwt: { secret: 'in-the-scenario' } }, override)?.tokens.key).toBe(override);
    expect(compileSecurity({ jwt: { validate: 'signed' } }, override)?.tokens).toEqual({ validation: 'signed', key: override });
  });

  it('reads a PEM public key of the scenario', () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(policy({ jwt: { publicKey: pem } }).tokens.key?.algorithms).toEqual(['ES384']);
  });

  it('refuses every problem at once, each at its pointer', () => {
    expect(
      problemsOf({
        authentication: 'sometimes' as 'required',
        jwt: { secret: 'a', publicKey: 'b' },
        rules: [{ actions: ['read'] }, { users: ['x'], actions: ['read', 'fly' as 'read'] }],
        ownerActions: ['destroy' as 'delete'],
      }),
    ).toEqual({
      '/security/authentication': 'enum',
      '/security/jwt': 'key',
      '/security/rules/0': 'selector',
      '/security/rules/1/actions/1': 'enum',
      '/security/ownerActions/0': 'enum',
    });
  });

  it('refuses signed validation without a key, and a key that does not parse', () => {
    expect(problemsOf({ jwt: { validate: 'signed' } })).toEqual({ '/security/jwt/validate': 'key' });
    expect(problemsOf({ jwt: { publicKey: '-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----' } })).toEqual({ '/security/jwt': 'key' });
    expect(problemsOf({ jwt: { validate: 'sometimes' as 'off' } })).toEqual({ '/security/jwt/validate': 'enum' });
  });
});

describe('decide', () => {
  const rules = policy();

  it('allows everything without a policy', () => {
    expect(decide(undefined, ANONYMOUS_IDENTITY, 'delete', { id: 'x' })).toEqual({ allowed: true });
    expect(appPrivileges(undefined, ANONYMOUS_IDENTITY, { id: 'x' })).toEqual(APP_PRIVILEGES);
    expect(globalPrivileges(undefined, ANONYMOUS_IDENTITY)).toEqual(['can_create_app', 'can_import_app']);
  });

  it('grants a rule without apps on every app and globally', () => {
    expect(decide(rules, user('admin'), 'delete', { id: 'any', owner: 'someone' })).toEqual({ allowed: true });
    expect(decide(rules, user('admin'), 'create')).toEqual({ allowed: true });
  });

  it('names the missing action when nothing grants it', () => {
    expect(decide(rules, user('viewer'), 'delete', { id: 'any', owner: 'admin' })).toEqual({ allowed: false, missing: 'delete' });
    expect(decide(rules, user('viewer'), 'create')).toEqual({ allowed: false, missing: 'create' });
  });

  it('matches users by sub and groups by the groups claim', () => {
    expect(decide(rules, user('carol', ['creators']), 'import').allowed).toBe(true);
    expect(decide(rules, user('dave', ['viewers']), 'read', { id: 'a' }).allowed).toBe(true);
    expect(decide(rules, user('dave', ['viewers']), 'update', { id: 'a' }).allowed).toBe(false);
    expect(decide(rules, user('creators'), 'create').allowed).toBe(false);
  });

  it('limits a rule with apps to those apps, and never to the global actions', () => {
    expect(decide(rules, user('auditor'), 'read', { id: 'app-1' }).allowed).toBe(true);
    expect(decide(rules, user('auditor'), 'read', { id: 'app-2' }).allowed).toBe(false);
    expect(decide(rules, user('auditor'), 'read').allowed).toBe(false);
  });

  it('gives an app owner every action on it, and nothing on the apps of others', () => {
    expect(decide(rules, user('carol'), 'publish', { id: 'mine', owner: 'carol' }).allowed).toBe(true);
    expect(decide(rules, user('carol'), 'read', { id: 'theirs', owner: 'bob' }).allowed).toBe(false);
  });

  it('gives owners only ownerActions when the scenario narrows them', () => {
    const narrow = policy({ ...SECTION, ownerActions: ['read', 'update'] });
    expect(decide(narrow, user('carol'), 'update', { id: 'mine', owner: 'carol' }).allowed).toBe(true);
    expect(decide(narrow, user('carol'), 'delete', { id: 'mine', owner: 'carol' })).toEqual({ allowed: false, missing: 'delete' });
  });

  it('lets "*" in users match every authenticated caller, never the anonymous one', () => {
    const everyone = policy({ rules: [{ users: ['*'], actions: ['read'] }] });
    expect(decide(everyone, user('anyone'), 'read', { id: 'a' }).allowed).toBe(true);
    expect(decide(everyone, ANONYMOUS_IDENTITY, 'read', { id: 'a' }).allowed).toBe(false);
  });

  it('applies anonymous rules only to callers without a token, who own nothing', () => {
    expect(decide(rules, ANONYMOUS_IDENTITY, 'read', { id: 'public-app' }).allowed).toBe(true);
    expect(decide(rules, user('anonymous'), 'read', { id: 'public-app' }).allowed).toBe(false);
    expect(decide(rules, ANONYMOUS_IDENTITY, 'read', { id: 'x', owner: 'anonymous' }).allowed).toBe(false);
  });
});

describe('privileges of a caller', () => {
  const rules = policy();

  it('lists the app actions the caller holds, in the engine order', () => {
    expect(appPrivileges(rules, user('viewer'), { id: 'a', owner: 'admin' })).toEqual(['read']);
    expect(appPrivileges(rules, user('auditor'), { id: 'app-1' })).toEqual(['read', 'export']);
    expect(appPrivileges(rules, user('admin'), { id: 'a' })).toEqual(APP_PRIVILEGES);
    expect(appPrivileges(rules, user('nobody'), { id: 'a' })).toEqual([]);
  });

  it('lists can_create_app and can_import_app as the caller holds create and import', () => {
    expect(globalPrivileges(rules, user('carol', ['creators']))).toEqual(['can_create_app', 'can_import_app']);
    expect(globalPrivileges(rules, user('viewer'))).toEqual([]);
    expect(globalPrivileges(policy({ rules: [{ users: ['i'], actions: ['import'] }] }), user('i'))).toEqual(['can_import_app']);
  });
});
