/**
 * Scenario documents with problems in many places (root members before and after `apps` and
 * `sessions`, several apps and sessions, schema and contract rules, depth), whose problems
 * stepped-check.expected.json holds as the one-piece check of main bf25ad6 listed them.
 */
type Json = Record<string, unknown>;

function app(index: number): Json {
  return { attributes: { id: `app-${index}`, name: `App ${index}` } };
}

function session(index: number): Json {
  return { sessionid: `s-${index}`, userid: 'u', tenantid: 't', appid: 'app-0', state: 'active' };
}

/** A value nested `levels` deep: {"d":{"d":…}}. */
function nested(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i += 1) value = { d: value };
  return value;
}

/** Problems at the root, in several apps (schema, contract, model, duplicate ids) and in several sessions. */
function small(): Json {
  const apps: unknown[] = [
    app(0),
    { nope: 1 },
    { attributes: { id: 'app-2', published: 'yes' }, media: { '../up.png': { text: 'x' } } },
    { attributes: { id: 'app-0' } },
    { attributes: { id: 'app-4' }, media: { 'a.png': { base64: 'not base64!' } } },
    { attributes: { id: 'app-5' }, dataModel: { static_byte_size: 'big' } },
    'not an app',
    { attributes: { id: 'app-7' }, media: { 'f/': null, 'f/x.txt': { text: 'x' }, 'f': { text: 'y' } } },
    { attributes: { id: '' } },
  ];
  const sessions: unknown[] = [session(0), { sessionid: 's-1' }, 7, { ...session(3), state: 'gone', extra: true }, { ...session(4), userid: 5 }];
  return { extra: true, name: 'bad name!', description: 5, condition: 'sleepy', apps, sessions, figures: 'x', security: 5 };
}

/** More than FULL_REPORT_MAX_VALUES values with the first schema problem in an app. */
function largeFirstInApps(): Json {
  const apps: unknown[] = Array.from({ length: 600 }, (_, i) => app(i));
  apps[150] = { attributes: { id: 'x' }, whatever: 1 };
  apps[151] = { attributes: 5 };
  apps[200] = { attributes: { id: 'app-1', published: 3 } };
  const sessions: unknown[] = Array.from({ length: 20 }, (_, i) => session(i));
  sessions[5] = { sessionid: 7 };
  return { name: 'large', apps, sessions, figures: 'x' };
}

/** More than FULL_REPORT_MAX_VALUES values: no schema problem in the apps, the first after them. */
function largeFirstAfterApps(): Json {
  const apps: unknown[] = Array.from({ length: 600 }, (_, i) => app(i));
  apps[10] = { attributes: { id: 'app-9', published: 'no' } };
  const sessions: unknown[] = Array.from({ length: 20 }, (_, i) => session(i));
  sessions[3] = { nope: true };
  return { name: 'large', apps, sessions, figures: 'x' };
}

/** More than FULL_REPORT_MAX_VALUES values, the first problem before `apps`. */
function largeFirstBeforeApps(): Json {
  const apps: unknown[] = Array.from({ length: 600 }, (_, i) => app(i));
  apps[3] = 'x';
  return { name: 'large', mode: 'wrong', apps };
}

/** 150 apps each with a contract problem: more than the 100 entries an error lists. */
function manyProblems(): Json {
  return { name: 'many', apps: Array.from({ length: 150 }, (_, i) => ({ attributes: { id: `a${i}`, published: 'no' } })) };
}

/** Nested too deep in two apps, a session and a later member. */
function tooDeep(): Json {
  return {
    name: 'deep',
    apps: [app(0), { attributes: { id: 'd1', custom: nested(70) } }, app(2), { attributes: { id: 'd3', custom: nested(80) } }],
    sessions: [{ ...session(0), deep: nested(70) }],
    generate: nested(70),
  };
}

/** Each document by name, for the problems of the stepped check to be compared with the recorded ones. */
export const PROBLEM_DOCUMENTS: Record<string, () => unknown> = {
  small,
  largeFirstInApps,
  largeFirstAfterApps,
  largeFirstBeforeApps,
  manyProblems,
  tooDeep,
  tooDeepInApps: () => ({ ...tooDeep(), sessions: undefined, generate: undefined }),
  notAnObject: () => [{ name: 'x' }],
  appsNotAnArray: () => ({ name: 'x', apps: { a: 1 }, sessions: 'no', figures: 1 }),
  noName: () => ({ apps: [{ nope: 1 }], sessions: [{}] }),
  valid: () => ({ name: 'fine', apps: [app(0), app(1)], sessions: [session(0)] }),
};
