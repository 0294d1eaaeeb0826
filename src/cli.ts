#!/usr/bin/env node
/**
 * The command line: `qlik-engine-double serve [options]`. Every flag can also come from an
 * environment variable (named in --help), so a container is configured without a command line.
 * This is the only module that touches `process` (exit codes, signals, stdout).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { tokenCommand } from './auth/token-command';
import { checkCommand } from './check/command';
import { QIX_DEFAULTS, startEngineDouble } from './index';
import { DoubleError } from './errors';
import { coverageCommand } from './commands/coverage';
import { generationProgress } from './commands/progress';
import { validateCommand } from './commands/validate';
import { tailCommand } from './commands/tail';
import { DEFAULT_BODY_LIMIT } from './server';
import { DEFAULT_JOURNAL_SIZE } from './control/journal';
import { DEFAULT_MAX_NAMESPACES, MAX_NAMESPACES_LIMIT } from './control/namespaces';
import { parseByteSize } from './units';
import { corsOriginProblem } from './cors';
import { DEFAULT_MAX_MEDIA_FILES_PER_APP } from './state/options';
import { DEFAULT_PROXY_TIMEOUT_MS, proxyTarget } from './proxy/relay';
import { DEFAULT_RECORDING_NAME, ScenarioRecorder } from './proxy/recorder';
import { DEFAULT_METRICS_PORT, METRICS_FORMATS, type MetricsFormat } from './metrics/door';
import { normaliseBasePath } from './base-path';
import { DEFAULT_BODY_TIMEOUT_MS } from './validation/request';
import { PACKAGE_ROOT } from './scenarios/registry';

const DEFAULT_PORT = 9076;

function wholeNumber(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return n;
  };
}

function byteSize(value: string): string {
  try {
    parseByteSize(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  return value;
}

interface ServeFlags {
  port: number;
  host: string;
  scenario: string;
  scenariosDir?: string;
  seed?: number;
  validation: 'strict' | 'warn';
  bodyLimit: string;
  bodyTimeout: number;
  journalSize: number;
  journalBodyLimit: string;
  journalBodiesTotal: string;
  mediaFileLimit: string;
  mediaFilesPerApp: number;
  maxNamespaces: number;
  jwtSecret?: string;
  /** The PEM text, read from the file named on the command line. */
  jwtPublicKey?: string;
  controlToken?: string;
  /** The real engine's URL (proxy mode); empty means none. */
  proxy?: string;
  proxyTimeout: number;
  /** The folder a proxy records into; empty means none. */
  record?: string;
  recordName: string;
  /** false with --no-cors. */
  cors: boolean;
  watch?: boolean;
  corsOrigin?: string[];
  /** A port, or false (--metrics-port off). */
  metricsPort: number | false;
  metricsFormat?: MetricsFormat;
  basePath?: string;
  /** PEM texts, read from the files named on the command line; empty means none. */
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  tlsClientCert: 'none' | 'required';
  tlsSelfSigned?: boolean;
  /** Largest QIX websocket frame, as a byte size. */
  qixMaxMessage: string;
  qixMaxConnections: number;
}

function corsOrigins(value: string): string[] | undefined {
  const origins = value.split(',').map((o) => o.trim()).filter((o) => o !== '');
  if (origins.length === 0) return undefined; // CORS_ORIGIN= in a compose file: any origin
  const problem = origins.map(corsOriginProblem).find((p) => p !== undefined);
  if (problem !== undefined) throw new InvalidArgumentError(problem);
  return origins;
}

function metricsPort(value: string): number | false {
  if (value === 'off') return false;
  try {
    return wholeNumber(0, 65535)(value);
  } catch {
    throw new InvalidArgumentError('expected a whole number from 0 to 65535, or off');
  }
}

function basePath(value: string): string {
  try {
    return normaliseBasePath(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** Where a throwaway CA is written for clients to trust (NODE_EXTRA_CA_CERTS, curl --cacert). */
function writeTrustFile(pem: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'qlik-engine-double-')), 'ca.pem');
  fs.writeFileSync(file, pem);
  return file;
}

function engineUrl(value: string): string {
  if (value === '') return value; // PROXY= in a compose file: none
  try {
    proxyTarget(value);
  } catch (error) {
    // Not an InvalidArgumentError: commander would echo the value, and a refused engine URL may hold a password.
    throw new Error(`--proxy: ${(error as Error).message}`);
  }
  return value;
}

function pemFile(file: string): string {
  if (file === '') return file; // JWT_PUBLIC_KEY= in a compose file: none
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new InvalidArgumentError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

async function serve(flags: ServeFlags, command: Command): Promise<void> {
  if (flags.record && !flags.proxy) throw new Error('--record needs --proxy: it records what a real engine answers');
  const recorder = flags.proxy && flags.record ? new ScenarioRecorder({ dir: flags.record, name: flags.recordName, source: flags.proxy }) : undefined;
  const engine = await startEngineDouble({
    port: flags.port,
    host: flags.host,
    scenario: flags.scenario,
    ...(process.stderr.isTTY ? { onScenarioProgress: generationProgress((text) => process.stderr.write(text), flags.scenario) } : {}),
    validation: flags.validation,
    bodyLimit: flags.bodyLimit,
    bodyTimeoutMs: flags.bodyTimeout,
    journalSize: flags.journalSize,
    journalBodyLimit: flags.journalBodyLimit,
    journalBodiesTotal: flags.journalBodiesTotal,
    mediaLimits: { maxMediaFileBytes: parseByteSize(flags.mediaFileLimit), maxMediaFilesPerApp: flags.mediaFilesPerApp },
    maxNamespaces: flags.maxNamespaces,
    // An empty value (JWT_SECRET= in a compose file) means none, as for the control token.
    jwtKeys: { secret: flags.jwtSecret || undefined, publicKey: flags.jwtPublicKey || undefined },
    scenariosDir: flags.scenariosDir,
    seed: flags.seed,
    ...(flags.watch ? { watch: true } : {}),
    cors: flags.cors === false ? false : (flags.corsOrigin ?? true),
    // An empty value (CONTROL_TOKEN= in a compose file) means none.
    ...(flags.controlToken ? { controlToken: flags.controlToken } : {}),
    ...(flags.proxy ? { proxy: { target: flags.proxy, timeoutMs: flags.proxyTimeout, ...(recorder ? { onExchange: recorder.observe } : {}) } } : {}),
    ...(flags.basePath ? { basePath: flags.basePath } : {}),
    ...(flags.metricsPort === false
      ? {}
      : {
          // The engine's default port may be taken by another double: only a port asked for stops the start.
          metrics: { port: flags.metricsPort, fallbackToFreePort: command.getOptionValueSource('metricsPort') === 'default', ...(flags.metricsFormat ? { format: flags.metricsFormat } : {}) },
        }),
    ...(flags.tlsCert || flags.tlsKey || flags.tlsCa || flags.tlsSelfSigned || flags.tlsClientCert !== 'none'
      ? {
          tls: {
            ...(flags.tlsCert ? { cert: flags.tlsCert } : {}),
            ...(flags.tlsKey ? { key: flags.tlsKey } : {}),
            ...(flags.tlsCa ? { ca: flags.tlsCa } : {}),
            clientCert: flags.tlsClientCert,
            selfSigned: flags.tlsSelfSigned === true,
          },
        }
      : {}),
    qix: { maxMessageBytes: parseByteSize(flags.qixMaxMessage), maxConnections: flags.qixMaxConnections },
  });
  if (flags.proxy) process.stderr.write(`proxying engine calls to ${flags.proxy}${recorder ? `; recording into ${recorder.file}` : ''}\n`);
  const scenario = engine.runtime.namespaces.default().scenario;
  if ((flags.jwtSecret || flags.jwtPublicKey) && scenario.security === undefined) {
    process.stderr.write(`note: JWT keys only apply to secured scenarios; ${scenario.name} has no security section\n`);
  }
  if (scenario.security !== undefined && !flags.controlToken) {
    process.stderr.write(
      `warning: ${scenario.name} is secured but the control API has no token: any caller can switch a namespace to an unsecured scenario (PUT /__control/scenario) and so turn authorisation off; start with --control-token to prevent it\n`,
    );
  }
  // Written before the "listening on" line: whoever waits for it can read the file at once.
  const trustFile = flags.tlsSelfSigned && engine.ca ? writeTrustFile(engine.ca) : undefined;
  const stop = () => {
    void engine
      .close()
      .then(() => trustFile && fs.rmSync(path.dirname(trustFile), { recursive: true, force: true }))
      .then(() => recorder?.flush())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(`qlik-engine-double: ${(error as Error).message}\n`);
          process.exit(1);
        },
      );
  };
  // Handlers first: a supervisor may send SIGTERM the moment it reads the line below.
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  if (trustFile) process.stdout.write(`self-signed TLS: trust the CA in ${trustFile}\n`);
  if (engine.metricsUrl) {
    const moved = flags.metricsPort !== false && flags.metricsPort !== 0 && engine.metricsPort !== flags.metricsPort;
    process.stdout.write(`metrics on ${engine.metricsUrl}${moved ? ` (port ${flags.metricsPort} is taken)` : ''}\n`);
  }
  process.stdout.write(`listening on ${engine.url}\n`);
}

/** The version of the installed package, from its package.json. */
function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Why a command failed: one line, or, for a refusal with several problems (a bad scenario), one line per problem as `validate` prints them. */
export function failureText(error: unknown): string {
  if (error instanceof DoubleError && error.entries.length > 1) {
    return `qlik-engine-double: ${error.entries.length} problems:\n${error.entries.map((entry) => `${entry.detail}\n`).join('')}`;
  }
  return `qlik-engine-double: ${error instanceof Error ? error.message : String(error)}\n`;
}

export function buildProgram(): Command {
  const program = new Command('qlik-engine-double')
    .description('A contract-checked, stateful test double of the Qlik Associative Engine REST API 12.268.0')
    .version(packageVersion(), '-V, --version', "print the package's version")
    .showHelpAfterError();
  program
    .command('serve')
    .description('serve the double until SIGTERM or SIGINT')
    .addOption(new Option('-p, --port <port>', 'port to listen on; 0 picks a free one').env('PORT').default(DEFAULT_PORT).argParser(wholeNumber(0, 65535)))
    .addOption(new Option('--host <host>', 'address to listen on').env('HOST').default('0.0.0.0'))
    .addOption(new Option('--scenario <name>', 'scenario to start in').env('SCENARIO').default('default'))
    .addOption(new Option('--scenarios-dir <dir>', 'a folder of your own scenario files').env('SCENARIOS_DIR'))
    .addOption(new Option('--seed <n>', 'seed for generated data').env('SEED').argParser(wholeNumber(0, 2 ** 31 - 1)))
    .addOption(new Option('--validation <mode>', 'what a response that breaks the contract does').env('VALIDATION').choices(['strict', 'warn']).default('strict'))
    .addOption(new Option('--body-limit <size>', 'largest request body (bytes, or e.g. 50mb)').env('BODY_LIMIT').default(DEFAULT_BODY_LIMIT).argParser(byteSize))
    .addOption(new Option('--body-timeout <ms>', 'how long a request body may stall before 408').env('BODY_TIMEOUT').default(DEFAULT_BODY_TIMEOUT_MS).argParser(wholeNumber(1, 600_000)))
    .addOption(new Option('--journal-size <n>', 'requests the journal keeps').env('JOURNAL_SIZE').default(DEFAULT_JOURNAL_SIZE).argParser(wholeNumber(1, 1_000_000)))
    .addOption(new Option('--journal-body-limit <size>', 'largest JSON request body one journal entry keeps; larger ones are kept as size + SHA-256').env('JOURNAL_BODY_LIMIT').default('64kb').argParser(byteSize))
    .addOption(new Option('--journal-bodies-total <size>', 'most JSON body text the whole journal keeps; past it the oldest bodies become size + SHA-256').env('JOURNAL_BODIES_TOTAL').default('16mb').argParser(byteSize))
    .addOption(new Option('--media-file-limit <size>', 'largest media file an app may hold').env('MEDIA_FILE_LIMIT').default('50mb').argParser(byteSize))
    .addOption(new Option('--media-files-per-app <n>', 'most media files one app may hold').env('MEDIA_FILES_PER_APP').default(DEFAULT_MAX_MEDIA_FILES_PER_APP).argParser(wholeNumber(1, 10_000_000)))
    .addOption(new Option('--max-namespaces <n>', 'most namespaces besides the default one; each holds a world of the start scenario').env('MAX_NAMESPACES').default(DEFAULT_MAX_NAMESPACES).argParser(wholeNumber(0, MAX_NAMESPACES_LIMIT)))
    .addOption(new Option('--jwt-secret <secret>', "HMAC secret that verifies bearer tokens (HS256/384/512); replaces the scenario's").env('JWT_SECRET'))
    .addOption(new Option('--jwt-public-key <file>', "PEM public key file that verifies bearer tokens (RS*/ES*); replaces the scenario's").env('JWT_PUBLIC_KEY').argParser(pemFile))
    .addOption(new Option('--control-token <token>', 'require Authorization: Bearer <token> on /__control calls').env('CONTROL_TOKEN'))
    .addOption(new Option('--proxy <engine-url>', 'forward every engine call to this real engine and check its answers').env('PROXY').argParser(engineUrl))
    .addOption(new Option('--proxy-timeout <ms>', 'how long the engine may stay silent before 504').env('PROXY_TIMEOUT').default(DEFAULT_PROXY_TIMEOUT_MS).argParser(wholeNumber(1, 600_000)))
    .addOption(new Option('--record <dir>', 'with --proxy: write what the engine showed as a scenario file in this folder').env('RECORD_DIR'))
    .addOption(new Option('--watch', 'reload scenario files when they change: namespaces running a changed scenario are rebuilt; a broken edit keeps the last good world').env('WATCH'))
    .addOption(new Option('--cors-origin <origins>', 'allow browser calls only from these origins (comma-separated, e.g. http://localhost:5173); default: any origin').env('CORS_ORIGIN').argParser(corsOrigins))
    .addOption(new Option('--no-cors', 'no CORS headers and no preflight answers (OPTIONS gets 405)').env('NO_CORS'))
    .addOption(new Option('--record-name <name>', 'the recorded scenario\'s name (and file name)').env('RECORD_NAME').default(DEFAULT_RECORDING_NAME))
    .addOption(new Option('--metrics-port <port>', 'port of GET /metrics (Prometheus); 0 picks a free one, off serves none; the default falls back to a free port when taken').env('METRICS_PORT').default(DEFAULT_METRICS_PORT).argParser(metricsPort))
    .addOption(new Option('--metrics-format <format>', 'answer /metrics in this form whatever Accept asks (default: text, JSON for Accept: application/json)').env('METRICS_FORMAT').choices(METRICS_FORMATS))
    .addOption(new Option('--base-path <prefix>', 'serve every engine operation under this prefix, e.g. /api (the control API answers with and without it)').env('BASE_PATH').argParser(basePath))
    .addOption(new Option('--tls-cert <file>', 'PEM certificate: serve HTTPS (with --tls-key)').env('TLS_CERT').argParser(pemFile))
    .addOption(new Option('--tls-key <file>', "PEM private key of --tls-cert").env('TLS_KEY').argParser(pemFile))
    .addOption(new Option('--tls-ca <file>', 'PEM CA that signs client certificates (with --tls-client-cert required)').env('TLS_CA').argParser(pemFile))
    .addOption(new Option('--tls-client-cert <mode>', 'required: refuse clients without a certificate --tls-ca signed').env('TLS_CLIENT_CERT').choices(['none', 'required']).default('none'))
    .addOption(new Option('--tls-self-signed', 'serve HTTPS with a throwaway certificate; prints the file of its CA to trust').env('TLS_SELF_SIGNED'))
    .addOption(new Option('--qix-max-message <size>', 'largest QIX websocket frame; larger ones close the socket with 1009').env('QIX_MAX_MESSAGE').default('4mb').argParser(byteSize))
    .addOption(new Option('--qix-max-connections <n>', 'most QIX websockets open at once; more get 503').env('QIX_MAX_CONNECTIONS').default(QIX_DEFAULTS.maxConnections).argParser(wholeNumber(1, 100_000)))
    .action(serve);
  program.addCommand(tokenCommand((text) => process.stdout.write(text)));
  program.addCommand(
    checkCommand({
      write: (text) => process.stdout.write(text),
      ...(process.stderr.isTTY ? { progress: (text: string) => process.stderr.write(text) } : {}),
      fail: () => {
        process.exitCode = 1;
      },
    }),
  );
  const io = {
    write: (text: string) => process.stdout.write(text),
    fail: () => {
      process.exitCode = 1;
    },
  };
  program.addCommand(validateCommand(io));
  program.addCommand(coverageCommand(io));
  program.addCommand(tailCommand(io, (text) => process.stderr.write(text)));
  return program;
}

if (require.main === module) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((error: unknown) => {
      process.stderr.write(failureText(error));
      process.exit(1);
    });
}
