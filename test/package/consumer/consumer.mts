/**
 * A consumer's TypeScript file that touches every public entry point of the installed package.
 * test/package/consumer.test.ts type-checks it with `tsc --init`'s settings (skipLibCheck off), in
 * a project that installed only the package's tarball (with its declared dependencies), TypeScript,
 * jest and @types/jest.
 */
import { createServer } from 'node:http';
import {
  connectEngineDouble,
  createApp,
  DEFAULT_CONTROL_TIMEOUT_MS,
  DoubleError,
  DoubleRuntime,
  SHUTDOWN_GRACE_MS,
  startEngineDouble,
  type ActiveFaultRule,
  type CatalogEntry,
  type CoverageReport,
  type CurrentScenario,
  type DoubleOptions,
  type EngineDouble,
  type ErrorResponseBody,
  type ExpressApp,
  type FaultRuleInput,
  type JournalEntry,
  type ScenarioCatalog,
  type ScenarioDocument,
  type StartOptions,
  stripBasePath,
  VerificationError,
  attachQixDoor,
  QIX_DEFAULTS,
  type QixDoor,
  type QixDoorOptions,
  type ActiveStub,
  type BodyMatcher,
  type Difference,
  type JournalMatcher,
  type JournalSearch,
  type MetricFamily,
  type MetricsFormat,
  type MetricsOptions,
  type NearMiss,
  type RecordedBody,
  type RequestMatcher,
  type ScenarioReload,
  type StubInput,
  type StubResponse,
  type TlsOptions,
  type ValueMatcher,
  type VerifyTimes,
  type WatchOption,
} from 'qlik-engine-double';
import {
  connectEngineDouble as connectSidecar,
  VerificationError as ClientVerificationError,
  type ActiveStub as ClientActiveStub,
  type EngineDoubleControl,
  type JournalMatcher as ClientJournalMatcher,
  type RequestMatcher as ClientRequestMatcher,
  type StubInput as ClientStubInput,
  type VerifyTimes as ClientVerifyTimes,
} from 'qlik-engine-double/client';
import {
  connectGlobalEngineDouble,
  createGlobalSetup,
  ENGINE_DOUBLE_ENV,
  formatContractViolations,
  JEST_GLOBALS_KEY,
  toHaveNoContractViolations,
  toHaveReceived,
  type ContractViolationOptions,
  type GlobalDoubleOptions,
  type MatcherResult,
  type ReceivedSource,
  type ViolationSource,
} from 'qlik-engine-double/jest';
import globalSetup from 'qlik-engine-double/jest/global-setup';
import globalTeardown from 'qlik-engine-double/jest/global-teardown';
import 'qlik-engine-double/jest/matchers';

const scenario: ScenarioDocument = { name: 'typed', apps: [{ attributes: { name: 'Sales' } }] };
const options: StartOptions = { port: 0, scenario, seed: 7, validation: 'strict' };
const runtimeOptions: DoubleOptions = { scenario: 'default' };
const fault: FaultRuleInput = { method: 'GET', path: '/health', status: 503 };
// FaultRule's methods are the control contract's enum: another one is a type error, as the double answers it with a 400.
// @ts-expect-error 'FETCH' is not a method the contract lists
export const unknownMethod: FaultRuleInput = { method: 'FETCH', path: '/health', status: 503 };
const globals: GlobalDoubleOptions = { scenario: 'busy', seed: 1 };

export async function everything(): Promise<void> {
  const engine: EngineDouble = await startEngineDouble(options);
  const app: ExpressApp = createApp(new DoubleRuntime(runtimeOptions));
  const server = createServer(app);
  server.close();
  const sidecar: EngineDoubleControl = await connectSidecar(engine.url, { timeoutMs: DEFAULT_CONTROL_TIMEOUT_MS });
  const same: EngineDoubleControl = await connectEngineDouble(engine.url);
  const catalog: ScenarioCatalog = await sidecar.scenarios();
  const entry: CatalogEntry | undefined = catalog.scenarios[0];
  const current: CurrentScenario = await same.useScenario('default', { seed: 1 });
  const rules: ActiveFaultRule[] = await engine.setFaults([fault]);
  // @ts-expect-error methods are upper case, as the contract's enum lists them
  await sidecar.setFaults([{ method: 'get', path: '/health', drop: true }]);
  const journal: JournalEntry[] = await engine.namespace('worker-1').journal({ limit: 10 });
  const coverage: CoverageReport = await engine.coverage();
  const result: MatcherResult = await toHaveNoContractViolations(engine);
  await expect(engine).toHaveNoContractViolations();
  try {
    await engine.useScenario('nope');
  } catch (error) {
    if (error instanceof DoubleError) {
      const body: ErrorResponseBody = error.toBody();
      console.log(error.status, body.errors[0]?.code);
    }
  }
  console.log(entry, current, rules, journal, coverage.summary.percent, result.pass, formatContractViolations(journal), globals);
  console.log(ENGINE_DOUBLE_ENV.url, JEST_GLOBALS_KEY, SHUTDOWN_GRACE_MS, await connectGlobalEngineDouble({ namespace: 'n' }));
  const setup: (globalConfig?: unknown, projectConfig?: { globals?: Record<string, unknown> }) => Promise<void> = createGlobalSetup({ scenario: 'busy' });
  await setup();
  await globalSetup();
  await globalTeardown();
  await engine.close();
}

/** Every other export, so each declaration is checked too. */
export type PublicTypes = [
  ActiveStub, BodyMatcher, Difference, JournalMatcher, JournalSearch, MetricFamily, MetricsFormat, MetricsOptions, NearMiss, RecordedBody,
  RequestMatcher, ScenarioReload, StubInput, StubResponse, TlsOptions, ValueMatcher, VerifyTimes, WatchOption, QixDoor, QixDoorOptions,
  ClientActiveStub, ClientJournalMatcher, ClientRequestMatcher, ClientStubInput, ClientVerifyTimes,
  ContractViolationOptions, ReceivedSource, ViolationSource,
];
export const publicValues = [stripBasePath, VerificationError, ClientVerificationError, toHaveReceived, attachQixDoor, QIX_DEFAULTS] as const;
