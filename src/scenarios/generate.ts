/**
 * Scenario generators: apps made with a seeded faker, so the same seed gives the same world byte
 * for byte. Each expansion makes its own Faker seeded with the seed and a reference date drawn
 * from it: nothing reads the clock, the global faker or another expansion's state.
 */
import type { DataModelMetadata, FieldMetadata, TableMetadata } from '../spec/types';
import { cloneJson } from '../state/clone';
import { runSteps, runStepsInSlices, type Steps } from '../state/steps';
import { appendGeneratedApps, GeneratedBatch, noGeneratedApps, withPreparedApps, type GeneratedApps } from '../state/generated-apps';
import { generateInWorker, PROGRESS_STEP, type GenerationProgress, type WorkerOptions } from './generate-host';
import type { AppGenerator, ScenarioApp, ScenarioDocument, ScenarioMediaFile } from './types';

type FakerModule = typeof import('@faker-js/faker');
type Faker = InstanceType<FakerModule['Faker']>;

export type { GenerationProgress } from './generate-host';

/** The seed of a scenario that needs one and was given none. */
export const DEFAULT_SEED = 9076;

/** The generated world's "now" is drawn from this window, so dates differ by seed but never by run. */
const REFERENCE_DATE_WINDOW = { from: '2023-01-01T00:00:00.000Z', to: '2025-01-01T00:00:00.000Z' } as const;
/** One owner per this many apps (at least one, at most MAX_OWNERS), as teams share a site. */
const APPS_PER_OWNER = 25;
const MAX_OWNERS = 200;
const STREAM_COUNT = 3;
const PUBLISHED_SHARE = 0.2;
/** Attribute fields an app loads from one dimension table (besides its key). */
const MAX_DIMENSION_ATTRIBUTES = 3;
/** The machine a generated reload ran on (reported as the host's anyway: see reportedDataModel). */
const RELOAD_HARDWARE = { logical_cores: 8, total_memory: 34_359_738_368 };

/** Loaded on first expansion only: faker takes ~0.4 s to import, which scenarios without generators never pay. */
function fakerModule(): FakerModule {
  return require('@faker-js/faker') as FakerModule;
}

type FieldKind = 'id' | 'text' | 'integer' | 'money' | 'date';

interface TableTemplate {
  name: string;
  /** [field, kind]; a dimension's first field is its key, shared with the fact table. */
  fields: readonly (readonly [string, FieldKind])[];
  rows: readonly [number, number];
}

const dimension = (name: string, rows: readonly [number, number], fields: TableTemplate['fields']): TableTemplate => ({ name, rows, fields });

const CUSTOMERS = dimension('Customers', [500, 50_000], [['CustomerID', 'id'], ['CustomerName', 'text'], ['Country', 'text'], ['City', 'text'], ['Segment', 'text']]);
const PRODUCTS = dimension('Products', [50, 5_000], [['ProductID', 'id'], ['ProductName', 'text'], ['Category', 'text'], ['Subcategory', 'text'], ['ListPrice', 'money']]);
const EMPLOYEES = dimension('Employees', [20, 2_000], [['EmployeeID', 'id'], ['EmployeeName', 'text'], ['Title', 'text'], ['HireDate', 'date'], ['Office', 'text']]);
const CALENDAR = dimension('Calendar', [365, 3_650], [['Date', 'date'], ['Year', 'integer'], ['Quarter', 'text'], ['Month', 'text'], ['Week', 'integer']]);
const STORES = dimension('Stores', [10, 800], [['StoreID', 'id'], ['StoreName', 'text'], ['Region', 'text'], ['StoreManager', 'text']]);
const SUPPLIERS = dimension('Suppliers', [20, 3_000], [['SupplierID', 'id'], ['SupplierName', 'text'], ['SupplierCountry', 'text'], ['LeadTimeDays', 'integer']]);
const WAREHOUSES = dimension('Warehouses', [3, 60], [['WarehouseID', 'id'], ['WarehouseName', 'text'], ['WarehouseCity', 'text']]);
const CAMPAIGNS = dimension('Campaigns', [10, 1_000], [['CampaignID', 'id'], ['CampaignName', 'text'], ['Channel', 'text'], ['CampaignBudget', 'money']]);
const PLANS = dimension('Plans', [3, 40], [['PlanID', 'id'], ['PlanName', 'text'], ['MonthlyFee', 'money']]);
const ACCOUNTS = dimension('Accounts', [50, 2_000], [['AccountID', 'id'], ['AccountName', 'text'], ['AccountGroup', 'text'], ['CostCenter', 'text']]);
const AGENTS = dimension('Agents', [10, 500], [['AgentID', 'id'], ['AgentName', 'text'], ['Team', 'text']]);

interface Subject {
  /** How app names start: "Sales", "Customer Churn". */
  name: string;
  fact: TableTemplate;
  dimensions: readonly TableTemplate[];
}

const SUBJECTS: readonly Subject[] = [
  { name: 'Sales', fact: { name: 'Orders', rows: [10_000, 2_000_000], fields: [['OrderID', 'id'], ['Quantity', 'integer'], ['Sales', 'money'], ['Discount', 'money']] }, dimensions: [CUSTOMERS, PRODUCTS, EMPLOYEES, CALENDAR, STORES] },
  { name: 'Customer Churn', fact: { name: 'Subscriptions', rows: [5_000, 500_000], fields: [['SubscriptionID', 'id'], ['StartDate', 'date'], ['EndDate', 'date'], ['ChurnFlag', 'integer']] }, dimensions: [CUSTOMERS, PLANS, CALENDAR] },
  { name: 'Inventory', fact: { name: 'StockLevels', rows: [20_000, 1_000_000], fields: [['StockLevelID', 'id'], ['OnHand', 'integer'], ['Reserved', 'integer'], ['StockValue', 'money']] }, dimensions: [PRODUCTS, WAREHOUSES, SUPPLIERS, CALENDAR] },
  { name: 'Supply Chain', fact: { name: 'Shipments', rows: [5_000, 800_000], fields: [['ShipmentID', 'id'], ['ShippedUnits', 'integer'], ['FreightCost', 'money'], ['DeliveredDate', 'date']] }, dimensions: [SUPPLIERS, WAREHOUSES, PRODUCTS, CALENDAR] },
  { name: 'Marketing', fact: { name: 'Responses', rows: [10_000, 3_000_000], fields: [['ResponseID', 'id'], ['Clicks', 'integer'], ['Conversions', 'integer'], ['Spend', 'money']] }, dimensions: [CAMPAIGNS, CUSTOMERS, CALENDAR] },
  { name: 'Finance', fact: { name: 'GeneralLedger', rows: [50_000, 5_000_000], fields: [['EntryID', 'id'], ['Amount', 'money'], ['Budget', 'money'], ['PostingPeriod', 'text']] }, dimensions: [ACCOUNTS, CALENDAR, EMPLOYEES] },
  { name: 'HR Headcount', fact: { name: 'Positions', rows: [200, 20_000], fields: [['PositionID', 'id'], ['FTE', 'money'], ['Salary', 'money'], ['Grade', 'text']] }, dimensions: [EMPLOYEES, CALENDAR, STORES] },
  { name: 'Support', fact: { name: 'Tickets', rows: [2_000, 400_000], fields: [['TicketID', 'id'], ['Priority', 'text'], ['ResolutionHours', 'integer'], ['Satisfaction', 'integer']] }, dimensions: [CUSTOMERS, AGENTS, PRODUCTS, CALENDAR] },
];

const APP_KINDS = ['Analysis', 'Dashboard', 'Overview', 'KPIs', 'Report', 'Explorer', 'Forecast', 'Deep Dive'] as const;

/** What engines tag fields with, by kind of value. */
const FIELD_TAGS: Readonly<Record<FieldKind, readonly string[]>> = {
  id: ['$numeric', '$integer'],
  integer: ['$numeric', '$integer'],
  money: ['$numeric'],
  date: ['$numeric', '$integer', '$timestamp', '$date'],
  text: ['$text', '$ascii'],
};
/** Bytes per distinct value in a symbol table, by kind. */
const SYMBOL_BYTES: Readonly<Record<FieldKind, number>> = { id: 8, integer: 8, money: 8, date: 8, text: 16 };

function fieldMetadata(name: string, kind: FieldKind, srcTables: string[], cardinal: number, totalCount: number, isKey: boolean): FieldMetadata {
  return {
    name,
    src_tables: srcTables,
    is_system: false,
    is_hidden: false,
    is_semantic: false,
    distinct_only: false,
    cardinal,
    total_count: totalCount,
    is_locked: false,
    always_one_selected: false,
    is_numeric: kind !== 'text',
    comment: '',
    tags: isKey ? ['$key', ...FIELD_TAGS[kind]] : [...FIELD_TAGS[kind]],
    byte_size: cardinal * SYMBOL_BYTES[kind],
  };
}

/**
 * A star schema: the subject's fact table linked to some of its dimensions by key fields. A key
 * lists both tables in src_tables, has the dimension's row count as cardinal and both tables' rows
 * as total_count; every field's cardinal is at most its total_count.
 */
function dataModel(faker: Faker, subject: Subject, dimensions: readonly TableTemplate[]): DataModelMetadata {
  const factRows = faker.number.int({ min: subject.fact.rows[0], max: subject.fact.rows[1] });
  const fields: FieldMetadata[] = [];
  const tables: TableMetadata[] = [];
  const table = (name: string, rows: number, fieldCount: number, keyCount: number): TableMetadata => ({
    name,
    is_system: false,
    is_semantic: false,
    is_loose: false,
    no_of_rows: rows,
    no_of_fields: fieldCount,
    no_of_key_fields: keyCount,
    comment: '',
    // Engines store each row as bit-stuffed pointers into the symbol tables: about 4 bytes per cell.
    byte_size: rows * fieldCount * 4,
  });
  for (const [index, [name, kind]] of subject.fact.fields.entries()) {
    const cardinal = index === 0 ? factRows : faker.number.int({ min: 1, max: factRows });
    fields.push(fieldMetadata(name, kind, [subject.fact.name], cardinal, factRows, false));
  }
  for (const dim of dimensions) {
    const rows = faker.number.int({ min: dim.rows[0], max: dim.rows[1] });
    const [key, ...attributes] = dim.fields;
    if (!key) continue;
    // Apps load the attributes they need, not every column of a dimension.
    const own = faker.helpers.arrayElements(attributes, { min: 1, max: MAX_DIMENSION_ATTRIBUTES });
    fields.push(fieldMetadata(key[0], key[1], [subject.fact.name, dim.name], rows, factRows + rows, true));
    for (const [name, kind] of own) fields.push(fieldMetadata(name, kind, [dim.name], faker.number.int({ min: 1, max: rows }), rows, false));
    tables.push(table(dim.name, rows, 1 + own.length, 1));
  }
  tables.unshift(table(subject.fact.name, factRows, subject.fact.fields.length + dimensions.length, dimensions.length));
  const bytes = [...fields, ...tables].reduce((sum, item) => sum + (item.byte_size ?? 0), 0);
  return {
    reload_meta: { cpu_time_spent_ms: Math.round(bytes / 50_000) + faker.number.int({ min: 5, max: 400 }), hardware: { ...RELOAD_HARDWARE } },
    static_byte_size: bytes,
    fields,
    tables,
  };
}

function mediaFiles(faker: Faker, count: number): Record<string, ScenarioMediaFile> {
  const media: Record<string, ScenarioMediaFile> = {};
  for (let index = 1; index <= count; index += 1) {
    const word = faker.word.noun();
    switch (index % 3) {
      case 1:
        media[`notes/${index}-${word}.txt`] = { text: `${faker.lorem.paragraph()}\n` };
        break;
      case 2:
        media[`exports/${index}-${word}.csv`] = { text: `Region,Amount\n${faker.location.state()},${faker.number.int({ max: 100_000 })}\n` };
        break;
      default:
        media[`config/${index}-${word}.json`] = { text: `${JSON.stringify({ owner: faker.person.firstName(), refresh: faker.helpers.arrayElement(['daily', 'weekly', 'hourly']) })}\n` };
    }
  }
  return media;
}

function describeApp(faker: Faker, kind: string, subject: Subject, dimensions: readonly TableTemplate[]): string {
  const by = dimensions.length > 0 ? ` by ${dimensions.map((d) => d.name.toLowerCase()).join(', ')}` : '';
  return `${kind} of ${subject.name.toLowerCase()}${by} for ${faker.company.name()}.`;
}

/** The apps of one `generate.apps` block, drawn from a Faker seeded with `seed`, one at a time: none need be kept as objects. */
export function* eachGeneratedApp(generator: AppGenerator, seed: number): Generator<ScenarioApp, void, void> {
  const { Faker, en, base } = fakerModule();
  const faker = new Faker({ locale: [en, base], seed });
  const now = faker.date.between(REFERENCE_DATE_WINDOW);
  faker.setDefaultRefDate(now);
  const owners = Array.from({ length: Math.min(MAX_OWNERS, Math.max(1, Math.ceil(generator.count / APPS_PER_OWNER))) }, () => `Personal\\${faker.internet.username()}`);
  const streams = Array.from({ length: STREAM_COUNT }, () => faker.string.uuid());
  for (let n = 0; n < generator.count; n += 1) {
    const subject = faker.helpers.arrayElement(SUBJECTS);
    const kind = faker.helpers.arrayElement(APP_KINDS);
    const dimensions = faker.helpers.arrayElements(subject.dimensions, { min: 1, max: subject.dimensions.length });
    const created = faker.date.past({ years: 3 });
    const modified = faker.date.between({ from: created, to: now });
    const published = faker.datatype.boolean(PUBLISHED_SHARE);
    const app: ScenarioApp = {
      attributes: {
        id: faker.string.uuid(),
        name: `${subject.name} ${kind}`,
        description: describeApp(faker, kind, subject, dimensions),
        thumbnail: '',
        lastReloadTime: generator.withDataModel ? faker.date.between({ from: created, to: modified }).toISOString() : '',
        createdDate: created.toISOString(),
        modifiedDate: modified.toISOString(),
        owner: faker.helpers.arrayElement(owners),
        dynamicColor: '',
        published,
        publishTime: published ? faker.date.between({ from: modified, to: now }).toISOString() : '',
        custom: {},
      },
    };
    if (published) app.publishedStream = faker.helpers.arrayElement(streams);
    if (generator.withDataModel) app.dataModel = dataModel(faker, subject, dimensions);
    if (generator.mediaFilesPerApp) app.media = mediaFiles(faker, generator.mediaFilesPerApp);
    yield app;
  }
}

function usesSeed(doc: ScenarioDocument): boolean {
  return doc.generate?.apps !== undefined || (doc.mode === 'spec-examples' && doc.examples === 'dynamic');
}

/** Deep copies of `items`, one a step. */
function* copySteps<T>(items: readonly T[]): Steps<T[]> {
  const copies: T[] = [];
  for (const item of items) {
    copies.push(cloneJson(item));
    yield;
  }
  return copies;
}

/**
 * What expanding `doc` takes: the generator to run (if any) with its seed, and how to make the
 * document of what it made. The document's own apps are copied one a step (what comes out is the
 * preparer's, see validateScenarioDocument, not the caller's), so a large one is copied in slices
 * on a switch (runStepsInSlices).
 */
function* expansionSteps(doc: ScenarioDocument, seed: number | undefined) {
  const { generate, $schema: _editorHint, ...rest } = doc;
  const chosen = seed ?? doc.seed ?? (usesSeed(doc) ? DEFAULT_SEED : undefined);
  const written = doc.apps === undefined ? undefined : yield* copySteps(doc.apps);
  const expanded = (apps: ScenarioApp[] | undefined): ScenarioDocument => ({ ...rest, ...(chosen !== undefined ? { seed: chosen } : {}), ...(apps !== undefined ? { apps } : {}) });
  return {
    generator: generate?.apps,
    seed: chosen ?? DEFAULT_SEED,
    /** The document with what the generator made (nothing without one): the generated apps as text (see withPreparedApps). */
    document: (generated?: GeneratedApps) =>
      generated === undefined || generated.ids.length === 0 ? expanded(written) : withPreparedApps(expanded(written), { written: written ?? [], generated }),
  };
}

/** The apps of one `generate.apps` block as text, PROGRESS_STEP apps a batch (what a worker sends at once). */
export function* generatedBatches(generator: AppGenerator, seed: number): Generator<GeneratedApps, void, void> {
  let batch = new GeneratedBatch();
  for (const app of eachGeneratedApp(generator, seed)) {
    batch.add(app);
    if (batch.count < PROGRESS_STEP) continue;
    yield batch.seal();
    batch = new GeneratedBatch();
  }
  if (batch.count > 0) yield batch.seal();
}

/**
 * The document as it runs: generated apps appended to its own (kept as text: see
 * withPreparedApps), `generate` and `$schema` dropped, `seed` set to the one used (`seed`
 * argument, else the document's, else DEFAULT_SEED) when any generator or dynamic example needs
 * one. Pure: the input is not changed. Made on this thread: what a start does before it listens.
 */
export function expandGenerators(doc: ScenarioDocument, seed?: number, onProgress?: GenerationProgress): ScenarioDocument {
  const { generator, seed: used, document } = runSteps(expansionSteps(doc, seed));
  if (generator === undefined) return document();
  const apps = noGeneratedApps();
  for (const batch of generatedBatches(generator, used)) {
    appendGeneratedApps(apps, batch);
    onProgress?.(apps.ids.length, generator.count);
  }
  return document(apps);
}

/**
 * expandGenerators with the apps made in a worker thread (generateInWorker) and kept as text, so
 * this thread stays free to answer meanwhile, and bases made of the document decode an app only
 * when it is first read (EngineModel.baseSteps).
 */
export async function expandGeneratorsInWorker(doc: ScenarioDocument, seed?: number, options: WorkerOptions = {}): Promise<ScenarioDocument> {
  const { generator, seed: used, document } = await runStepsInSlices(expansionSteps(doc, seed));
  return document(generator === undefined ? undefined : await generateInWorker(generator, used, options));
}
