import { DoubleError, ErrorTemplates, MAX_ERROR_ENTRIES as MAX_REPORTED_PROBLEMS } from '../../../src/errors';
import { scenarioProblems, validateScenarioDocument } from '../../../src/scenarios/validate';

const ORIGIN = 'scenarios/bad.yaml';

/** The detail of every problem of a document, in order. */
function details(value: unknown): string[] {
  return scenarioProblems(value, ORIGIN).map((p) => p.detail);
}

function withApp(app: Record<string, unknown>): Record<string, unknown> {
  return { name: 'bad', apps: [app] };
}

const goodDocument = {
  name: 'good',
  description: 'every part of the format',
  mode: 'stateful',
  condition: 'busy',
  seed: 3,
  apps: [
    {
      attributes: {
        id: 'a1',
        name: 'Sales',
        createdDate: '2024-05-01T12:00:00.000Z',
        modifiedDate: '2024-05-01T12:00:00Z',
        lastReloadTime: '',
        publishTime: '',
        published: false,
        custom: { region: 'EU' },
        myOwnAttribute: ['kept', 'as', 'given'],
      },
      media: {
        'images/logo.png': { base64: 'iVBORw0KGgo=' },
        'notes/read me.txt': { text: 'hello' },
        'archive/2019/': null,
        'folded.bin': { base64: 'AAEC\n  AwQF' },
      },
      dataModel: { static_byte_size: 1, fields: [{ name: 'F', src_tables: ['T'], cardinal: 1, total_count: 1 }], tables: [{ name: 'T', no_of_rows: 1 }] },
      publishedStream: 'aaec8d41-5201-43ab-809f-3063750dfafd',
    },
  ],
  sessions: [
    { sessionid: 's1', userid: 'Personal\\alice', appid: 'a1', tenantid: '', ttl: 0, state: 'active' },
    { sessionid: 's2', userid: 'Personal\\bob', appid: '', state: 'stalled' },
  ],
};

describe('scenarioProblems', () => {
  it('finds none in a document that uses every part of the format', () => {
    expect(details(goodDocument)).toEqual([]);
  });

  it('names file, pointer and rule of an attribute that breaks NxAttributes', () => {
    const [problem, ...rest] = scenarioProblems(withApp({ attributes: { published: 'yes' } }), ORIGIN);
    expect(rest).toEqual([]);
    expect(problem).toEqual({
      detail: 'scenarios/bad.yaml#/apps/0/attributes/published must be boolean (type)',
      source: { pointer: '/apps/0/attributes/published' },
      meta: { file: ORIGIN, rule: 'type', definition: 'NxAttributes' },
    });
  });

  it('refuses unknown properties at the top level and in app entries, naming the typo', () => {
    expect(details({ name: 'bad', aps: [], apps: [{ atributes: {} }] })).toEqual([
      'scenarios/bad.yaml#/aps is not a property this object may have (additionalProperties)',
      'scenarios/bad.yaml#/apps/0/attributes is required (required)',
      'scenarios/bad.yaml#/apps/0/atributes is not a property this object may have (additionalProperties)',
    ]);
  });

  it('checks the document format: name, enums, seed range and generator limits', () => {
    expect(details({ name: 'no spaces', mode: 'mock', condition: 'sleepy', seed: -1, generate: { apps: { count: 100_001 } } })).toEqual([
      'scenarios/bad.yaml#/name must match pattern "^[A-Za-z0-9][A-Za-z0-9._-]*$" (pattern)',
      'scenarios/bad.yaml#/mode must be one of "stateful", "spec-examples" (enum)',
      'scenarios/bad.yaml#/seed must be >= 0 (minimum)',
      'scenarios/bad.yaml#/condition must be one of "healthy", "busy", "unhealthy" (enum)',
      'scenarios/bad.yaml#/generate/apps/count must be <= 100000 (maximum)',
    ]);
    expect(details(null)).toEqual(['scenarios/bad.yaml#/ must be object (type)']);
  });

  it('accepts date attributes as ISO 8601 date-times or "" and refuses other strings', () => {
    const attributes = { createdDate: 'yesterday', modifiedDate: '2024-05-01', lastReloadTime: '', publishTime: '2024-05-01T12:00:00.000Z' };
    expect(details(withApp({ attributes }))).toEqual([
      'scenarios/bad.yaml#/apps/0/attributes/createdDate must be an ISO 8601 date-time with a time zone (2024-05-01T12:00:00.000Z) or "" (unset) (format)',
      'scenarios/bad.yaml#/apps/0/attributes/modifiedDate must be an ISO 8601 date-time with a time zone (2024-05-01T12:00:00.000Z) or "" (unset) (format)',
    ]);
  });

  it('refuses an empty app id and an id two apps share', () => {
    const doc = { name: 'bad', apps: [{ attributes: { id: 'same' } }, { attributes: { id: '' } }, { attributes: { id: 'same' } }] };
    expect(details(doc)).toEqual([
      'scenarios/bad.yaml#/apps/1/attributes/id must not be empty (minLength)',
      'scenarios/bad.yaml#/apps/2/attributes/id repeats the id "same" of /apps/0 (uniqueId)',
    ]);
  });

  it('checks data models against DataModelMetadata', () => {
    const dataModel = { fields: [{ name: 'F', cardinal: 'many', src_tables: 'T' }], tables: {} };
    expect(details(withApp({ attributes: {}, dataModel }))).toEqual([
      'scenarios/bad.yaml#/apps/0/dataModel/fields/0/src_tables must be array (type)',
      'scenarios/bad.yaml#/apps/0/dataModel/fields/0/cardinal must be integer (type)',
      'scenarios/bad.yaml#/apps/0/dataModel/tables must be array (type)',
    ]);
  });

  it('checks sessions against Session and the states engines report', () => {
    expect(details({ name: 'bad', sessions: [{ sessionid: 's', ttl: '0', state: 'sleeping' }, 'not a session'] })).toEqual([
      'scenarios/bad.yaml#/sessions/1 must be object (type)',
      'scenarios/bad.yaml#/sessions/0/ttl must be integer (type)',
      'scenarios/bad.yaml#/sessions/0/state must be one of "active", "stalled" (enum)',
    ]);
  });

  it('puts every media key through the media path rules', () => {
    const media = { '../escape.png': { text: 'a' }, 'a\\b.txt': { text: 'b' }, '/abs.txt': { text: 'c' }, 'ok/file.txt': { text: 'd' } };
    expect(details(withApp({ attributes: {}, media }))).toEqual([
      'scenarios/bad.yaml#/apps/0/media/..~1escape.png The media path "../escape.png" is not allowed: it has a ".." segment. (mediaPath)',
      'scenarios/bad.yaml#/apps/0/media/a\\b.txt The media path "a\\\\b.txt" is not allowed: it has a backslash. (mediaPath)',
      'scenarios/bad.yaml#/apps/0/media/~1abs.txt The media path "/abs.txt" is not allowed: it is absolute (starts with "/"); media paths are relative to the media root. (mediaPath)',
    ]);
  });

  it('checks media values: folders are null, files have exactly one of text or base64', () => {
    const media = {
      'folder/': { text: 'a' },
      'file.txt': null,
      'both.bin': { text: 'a', base64: 'YQ==' },
      'bad.bin': { base64: '@@@' },
      'short.bin': { base64: 'YWJjZ' },
      'typo.txt': { txt: 'a' },
      '': { text: 'a' },
    };
    expect(details(withApp({ attributes: {}, media }))).toEqual([
      'scenarios/bad.yaml#/apps/0/media/folder~1 must be null (type)',
      'scenarios/bad.yaml#/apps/0/media/file.txt must be object (type)',
      'scenarios/bad.yaml#/apps/0/media/both.bin must NOT have more than 1 properties (maxProperties)',
      'scenarios/bad.yaml#/apps/0/media/bad.bin/base64 is not valid base64 (pattern)',
      'scenarios/bad.yaml#/apps/0/media/short.bin/base64 is not valid base64 (pattern)',
      'scenarios/bad.yaml#/apps/0/media/typo.txt/txt is not a property this object may have (additionalProperties)',
      'scenarios/bad.yaml#/apps/0/media/ is the media root: a media key names a file or folder inside it (mediaPath)',
    ]);
  });

  it('reports what the engine model would still refuse, such as a file where a folder must be', () => {
    const media = { 'a': { text: 'file' }, 'a/b.txt': { text: 'inside a file' } };
    const [problem, ...rest] = scenarioProblems(withApp({ attributes: {}, media }), ORIGIN);
    expect(rest).toEqual([]);
    expect(problem?.source).toEqual({ pointer: '/apps/0/media/a~1b.txt' });
    expect(problem?.meta).toEqual({ file: ORIGIN, rule: 'engineModel' });
    expect(problem?.detail).toMatch(/^scenarios\/bad\.yaml#\/apps\/0\/media\/a~1b\.txt media "a\/b\.txt": .* \(engineModel\)$/);
  });
});

describe('validateScenarioDocument', () => {
  it('refuses a bad document with INVALID_SCENARIO listing every problem', () => {
    let caught: unknown;
    try {
      validateScenarioDocument({ name: 'bad', condition: 'sleepy', apps: [{ attributes: { name: 7 } }] }, 'POST /__control/scenarios body');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DoubleError);
    const error = caught as DoubleError;
    expect(error.status).toBe(400);
    expect(error.entries.map((e) => [e.code, e.detail])).toEqual([
      [ErrorTemplates.invalidScenario.code, 'POST /__control/scenarios body#/condition must be one of "healthy", "busy", "unhealthy" (enum)'],
      [ErrorTemplates.invalidScenario.code, 'POST /__control/scenarios body#/apps/0/attributes/name must be string (type)'],
    ]);
  });

  it(`lists at most ${MAX_REPORTED_PROBLEMS} problems and counts the rest`, () => {
    const apps = Array.from({ length: MAX_REPORTED_PROBLEMS + 50 }, () => ({ attributes: { published: 'no' } }));
    let caught: unknown;
    try {
      validateScenarioDocument({ name: 'bad', apps }, ORIGIN);
    } catch (error) {
      caught = error;
    }
    const { entries } = caught as DoubleError;
    expect(entries).toHaveLength(MAX_REPORTED_PROBLEMS + 1);
    expect(entries[MAX_REPORTED_PROBLEMS]?.detail).toBe('and 50 more problems not listed');
  });

  it('returns a valid document ready to run, without $schema or generate, the input untouched', () => {
    const input = { $schema: '../spec/scenario.schema.json', ...structuredClone(goodDocument), generate: { apps: { count: 2 } } };
    const before = structuredClone(input);
    const doc = validateScenarioDocument(input, ORIGIN);
    expect(input).toEqual(before);
    expect(Object.keys(doc)).not.toContain('$schema');
    expect(doc.generate).toBeUndefined();
    expect(doc.seed).toBe(3);
    expect(doc.apps?.map((app) => app.attributes.name)).toEqual(['Sales', expect.any(String), expect.any(String)]);
  });
});
