#!/usr/bin/env node
/**
 * The command line: `qlik-engine-double serve [options]`. Every flag can also come from an
 * environment variable (named in --help), so a container is configured without a command line.
 * This is the only module that touches `process` (exit codes, signals, stdout).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { tokenCommand } from './auth/token-command';
import { checkCommand } from './check/command';
import { startEngineDouble } from './index';
import { DoubleError } from './errors';
import { coverageCommand } from './commands/coverage';
import { generationProgress } from './commands/progress';
import { validateCommand } from './commands/validate';
import { DEFAULT_BODY_LIMIT } from './server';
import { DEFAULT_JOURNAL_SIZE } from './control/journal';
import { DEFAULT_MAX_NAMESPACES, MAX_NAMESPACES_LIMIT } from './control/namespaces';
import { parseByteSize } from './units';
import { DEFAULT_MAX_MEDIA_FILES_PER_APP } from './state/options';
import { DEFAULT_PROXY_TIMEOUT_MS, proxyTarget } from './proxy/relay';
import { DEFAULT_RECORDING_NAME, ScenarioRecorder } from './proxy/recorder';
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
  journalSize: number;
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

async function serve(flags: ServeFlags): Promise<void> {
  if (flags.record && !flags.proxy) throw new Error('--record needs --proxy: it records what a real engine answers');
  const recorder = flags.proxy && flags.record ? new ScenarioRecorder({ dir: flags.record, name: flags.recordName, source: flags.proxy }) : undefined;
  const engine = await startEngineDouble({
    port: flags.port,
    host: flags.host,
    scenario: flags.scenario,
    ...(process.stderr.isTTY ? { onScenarioProgress: generationProgress((text) => process.stderr.write(text), flags.scenario) } : {}),
    validation: flags.validation,
    bodyLimit: flags.bodyLimit,
    journalSize: flags.journalSize,
    mediaLimits: { maxMediaFileBytes: parseByteSize(flags.mediaFileLimit), maxMediaFilesPerApp: flags.mediaFilesPerApp },
    maxNamespaces: flags.maxNamespaces,
    // An empty value (JWT_SECRET= in a compose file) means none, as for the control token.
    jwtKeys: { secret: flags.jwtSecret || undefined, publicKey: flags.jwtPublicKey || undefined },
    scenariosDir: flags.scenariosDir,
    seed: flags.seed,
    // An empty value (CONTROL_TOKEN= in a compose file) means none.
    ...(flags.controlToken ? { controlToken: flags.controlToken } : {}),
    ...(flags.proxy ? { proxy: { target: flags.proxy, timeoutMs: flags.proxyTimeout, ...(recorder ? { onExchange: recorder.observe } : {}) } } : {}),
  });
  if (flags.proxy) process.stderr.write(`proxying engine calls to ${flags.proxy}${recorder ? `; recording into ${recorder.file}` : ''}\n`);
  const scenario = engine.runtime.namespaces.default().scenario;
  if ((flags.jwtSecret || flags.jwtPublicKey) && scenario.security === undefined) {
    process.stderr.write(`note: JWT keys only apply to secured scenarios; ${scenario.name} has no security section\n`);
  }
  const stop = () => {
    void engine
      .close()
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
    .addOption(new Option('--journal-size <n>', 'requests the journal keeps').env('JOURNAL_SIZE').default(DEFAULT_JOURNAL_SIZE).argParser(wholeNumber(1, 1_000_000)))
    .addOption(new Option('--media-file-limit <size>', 'largest media file an app may hold').env('MEDIA_FILE_LIMIT').default('50mb').argParser(byteSize))
    .addOption(new Option('--media-files-per-app <n>', 'most media files one app may hold').env('MEDIA_FILES_PER_APP').default(DEFAULT_MAX_MEDIA_FILES_PER_APP).argParser(wholeNumber(1, 10_000_000)))
    .addOption(new Option('--max-namespaces <n>', 'most namespaces besides the default one; each holds a world of the start scenario').env('MAX_NAMESPACES').default(DEFAULT_MAX_NAMESPACES).argParser(wholeNumber(0, MAX_NAMESPACES_LIMIT)))
    .addOption(new Option('--jwt-secret <secret>', "HMAC secret that verifies bearer tokens (HS256/384/512); replaces the scenario's").env('JWT_SECRET'))
    .addOption(new Option('--jwt-public-key <file>', "PEM public key file that verifies bearer tokens (RS*/ES*); replaces the scenario's").env('JWT_PUBLIC_KEY').argParser(pemFile))
    .addOption(new Option('--control-token <token>', 'require Authorization: Bearer <token> on /__control calls').env('CONTROL_TOKEN'))
    .addOption(new Option('--proxy <engine-url>', 'forward every engine call to this real engine and check its answers').env('PROXY').argParser(engineUrl))
    .addOption(new Option('--proxy-timeout <ms>', 'how long the engine may stay silent before 504').env('PROXY_TIMEOUT').default(DEFAULT_PROXY_TIMEOUT_MS).argParser(wholeNumber(1, 600_000)))
    .addOption(new Option('--record <dir>', 'with --proxy: write what the engine showed as a scenario file in this folder').env('RECORD_DIR'))
    .addOption(new Option('--record-name <name>', 'the recorded scenario\'s name (and file name)').env('RECORD_NAME').default(DEFAULT_RECORDING_NAME))
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
