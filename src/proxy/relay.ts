/**
 * Proxy mode's handler: instead of the engine model, a real engine answers. The request goes to it
 * as the client sent it (method, raw path and query, body bytes, end-to-end headers such as
 * Authorization, Content-Type and X-Qlik-Session), and its answer comes back as it was sent
 * (status, end-to-end headers, body bytes streamed). Both are checked against the contract on the
 * way, but only watched: violations go to the journal, nothing is refused or changed. An engine
 * that cannot be reached or stays silent gets the double's own 502 or 504.
 */
import { isControlPath } from '../base-path';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DoubleError, doubleError, type ErrorEntry, type Problem } from '../errors';
import { NAMESPACE_HEADER } from '../control/namespaces';
import { redactUrl } from '../control/redact';
import { readBodyBytes } from '../validation/request';
import type { CompiledOperation, Contract } from '../spec/contract';
import { endToEndHeaders } from './headers';
import { requestViolations, responseViolations } from './observe';
import { decodeMediaPathSeparators, type RequestWarning } from '../validation/tolerance';
import { parseBaseUrl } from '../url';

/** How long the engine may stay silent when no --proxy-timeout is given. */
export const DEFAULT_PROXY_TIMEOUT_MS = 30_000;

export interface ProxyOptions {
  /** The real engine's base URL, http:// or https://; a path prefix is kept (`https://qlik.example.com/jwt`). */
  target: string;
  /** How long the engine may stay silent (connecting, before its answer, between chunks of it) before the client gets 504. */
  timeoutMs?: number;
  /** Called with each exchange the engine answered in full, after it was sent on (the recorder listens here). */
  onExchange?: (exchange: Exchange) => void;
}

/** One request the engine answered in full, as the proxy saw it. */
export interface Exchange {
  method: string;
  /** `METHOD /path/template` of the contract's operation; absent when no operation has the path. */
  operationId?: string;
  /** Path parameters as sent, still percent-encoded. */
  rawParams: Record<string, string>;
  /** The body forwarded (empty without one). */
  requestBody: Buffer;
  status: number;
  /** The answer's body; undefined when it was larger than the body limit, so not kept. */
  responseBody: Buffer | undefined;
  /** How the request broke the contract (it was forwarded anyway). */
  requestViolations: ErrorEntry[];
  /** How the engine's answer broke the contract (it was sent on anyway). */
  responseViolations: Problem[];
}

/** The operation a request matched, with its path parameters as sent. */
export interface RouteHit {
  operation: CompiledOperation;
  rawParams: Record<string, string>;
}

/** What the pipeline journals of a relayed exchange; the answer has already been sent. */
export interface Relayed {
  status: number;
  requestViolations: ErrorEntry[];
  /** What the request did that the double tolerates as real engines do (src/validation/tolerance.ts). */
  requestWarnings: RequestWarning[];
  responseViolations: Problem[];
}

/** What the proxy uses of the double. */
export interface ProxyContext {
  contract: Contract;
  /** Largest request body forwarded, and largest answer body checked and recorded. */
  bodyLimit: number;
  /** How long a request body may stall before 408 (--body-timeout). */
  bodyTimeoutMs: number;
  log: (line: string) => void;
}

/**
 * Request headers the proxy does not pass on: Host is the engine's; the namespace header is the
 * double's own; Expect was already answered by the double's server (100 Continue).
 */
const REQUEST_HEADERS_NOT_FORWARDED = ['host', NAMESPACE_HEADER, 'expect'];

/** The engine URL of `--proxy`, checked: http(s), no credentials, query or fragment. */
export function proxyTarget(value: string): URL {
  const url = parseBaseUrl(value, 'the engine URL');
  if (url.username !== '' || url.password !== '') throw new Error('the engine URL must not hold credentials: clients send theirs in headers, which the proxy forwards');
  return url;
}

/** The first `limit` bytes of a stream, kept while it passes; nothing once it has passed them. */
class BoundedBytes {
  private chunks: Buffer[] | undefined = [];
  private size = 0;

  constructor(private readonly limit: number) {}

  /** False once more than `limit` bytes have passed. */
  add(chunk: Buffer): boolean {
    this.size += chunk.length;
    if (this.chunks && this.size <= this.limit) this.chunks.push(chunk);
    else this.chunks = undefined;
    return this.chunks !== undefined;
  }

  bytes(): Buffer | undefined {
    return this.chunks && Buffer.concat(this.chunks, this.size);
  }
}

class UpstreamTimeout extends Error {}
class ClientGone extends Error {}

/**
 * Writes the engine's status and end-to-end headers as it sent them (raw names, repeated headers
 * kept). Headers the double set before the relay (CORS, for a browser's request) win over the
 * engine's of the same name; then the answer goes through setHeader, one call per name, since
 * Node's writeHead would merge a raw list into them keeping only the last of repeated headers.
 */
function writeEngineHead(res: ServerResponse, status: number, message: string | undefined, rawHeaders: readonly string[]): void {
  const ours = res.getHeaderNames();
  if (ours.length === 0) {
    res.writeHead(status, message, endToEndHeaders(rawHeaders));
    return;
  }
  const engine = endToEndHeaders(rawHeaders, ours);
  const byName = new Map<string, { name: string; values: string[] }>();
  for (let i = 0; i + 1 < engine.length; i += 2) {
    const name = engine[i]!;
    const seen = byName.get(name.toLowerCase());
    if (seen) seen.values.push(engine[i + 1]!);
    else byName.set(name.toLowerCase(), { name, values: [engine[i + 1]!] });
  }
  for (const { name, values } of byName.values()) res.setHeader(name, values.length === 1 ? values[0]! : values);
  res.writeHead(status, message);
}

export class EngineProxy {
  /** The engine's URL as given, for messages. */
  readonly target: string;
  private readonly url: URL;
  /** The URL's path without a trailing slash; request paths are appended to it. */
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private readonly onExchange: ((exchange: Exchange) => void) | undefined;

  constructor(
    options: ProxyOptions,
    private readonly context: ProxyContext,
  ) {
    this.url = proxyTarget(options.target);
    this.prefix = this.url.pathname.replace(/\/+$/, '');
    this.target = `${this.url.origin}${this.prefix}`;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_PROXY_TIMEOUT_MS;
    if (!Number.isSafeInteger(this.timeoutMs) || this.timeoutMs < 1) throw new Error(`the proxy timeout must be a whole number of milliseconds >= 1, not ${this.timeoutMs}`);
    this.onExchange = options.onExchange;
  }

  /** Every path but the control API's and the dashboard's goes to the engine, including paths no operation has. */
  relays(pathname: string): boolean {
    return !isControlPath(pathname) && pathname !== '/__ui';
  }

  /**
   * Forwards the request and streams the engine's answer to `res`. Throws a DoubleError only before
   * anything was sent (413 over the body limit, 502 unreachable, 504 silent); once the answer has
   * started, a broken stream cuts the client's connection, as the engine's own would.
   */
  async forward(req: IncomingMessage, res: ServerResponse, hit: RouteHit | undefined, query: Record<string, string | string[]>): Promise<Relayed> {
    const body = await this.readBody(req);
    // The request goes to the engine as sent; what the double would tolerate in it is journaled.
    const pathWarning = hit ? decodeMediaPathSeparators(hit.operation, hit.rawParams).warning : undefined;
    const requestWarnings: RequestWarning[] = pathWarning ? [pathWarning] : [];
    const requestProblems = hit ? await requestViolations(hit.operation, { rawParams: hit.rawParams, query, headers: req.headers, body }, requestWarnings) : [];
    const answer = await this.ask(req, res, body);
    const status = answer.statusCode ?? 502;
    // The engine's Date goes through as it sent it (or none, if it sent none).
    res.sendDate = false;
    writeEngineHead(res, status, answer.statusMessage, answer.rawHeaders);
    const kept = new BoundedBytes(this.context.bodyLimit);
    const copy = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        kept.add(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(answer, copy, res);
    } catch (error) {
      this.context.log(`proxy: the answer to ${req.method} ${redactUrl(req.url ?? '/')} broke off (${describe(error)}); the client's connection was cut`);
      return { status, requestViolations: requestProblems, requestWarnings, responseViolations: [] };
    }
    const responseBody = kept.bytes();
    if (hit && responseBody === undefined) {
      this.context.log(`proxy: the answer to ${req.method} ${redactUrl(req.url ?? '/')} is larger than the body limit (${this.context.bodyLimit} bytes): sent on, not checked`);
    }
    const responseProblems =
      hit && responseBody ? responseViolations(this.context.contract, hit.operation, { status, contentType: answer.headers['content-type'], bytes: responseBody }) : [];
    if (responseProblems.length > 0) {
      this.context.log(`contract violation in the engine's answer to ${hit?.operation.id} (${status}): ${responseProblems.map((p) => p.detail).join('; ')}`);
    }
    this.report({
      method: req.method ?? 'GET',
      ...(hit ? { operationId: hit.operation.id } : {}),
      rawParams: hit?.rawParams ?? {},
      requestBody: body,
      status,
      responseBody,
      requestViolations: requestProblems,
      responseViolations: responseProblems,
    });
    return { status, requestViolations: requestProblems, requestWarnings, responseViolations: responseProblems };
  }

  /** The whole request body, refused with 413 past the body limit and 408 when it stalls (before the engine hears of it). */
  private readBody(req: IncomingMessage): Promise<Buffer> {
    return readBodyBytes(req, this.context.bodyLimit, this.context.bodyTimeoutMs);
  }

  /** Sends the request to the engine and resolves with its answer's head. */
  private ask(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<IncomingMessage> {
    const transport = this.url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const upstream = transport.request(this.url, {
        method: req.method,
        path: `${this.prefix}${req.url ?? '/'}`,
        headers: [...endToEndHeaders(req.rawHeaders, REQUEST_HEADERS_NOT_FORWARDED), 'Host', this.url.host],
        timeout: this.timeoutMs,
      });
      const abandon = () => upstream.destroy(new ClientGone());
      res.once('close', abandon);
      upstream.once('timeout', () => upstream.destroy(new UpstreamTimeout()));
      upstream.once('response', (answer) => {
        res.off('close', abandon);
        resolve(answer);
      });
      upstream.once('error', (error) => {
        res.off('close', abandon);
        reject(this.failure(error, upstream.method, upstream.path));
      });
      upstream.end(body);
    });
  }

  private failure(error: Error, method: string, path: string): DoubleError {
    const meta = { target: this.target };
    if (error instanceof UpstreamTimeout) {
      return doubleError('upstreamTimeout', {
        detail: `the engine at ${this.target} did not answer ${method} ${path} within ${this.timeoutMs} ms (--proxy-timeout)`,
        meta: { ...meta, timeoutMs: this.timeoutMs },
      });
    }
    if (error instanceof ClientGone) {
      return doubleError('upstreamUnreachable', { detail: `the client closed its connection before the engine at ${this.target} answered ${method} ${path}`, meta });
    }
    const code = (error as NodeJS.ErrnoException).code;
    return doubleError('upstreamUnreachable', {
      detail: `the engine at ${this.target} cannot be reached for ${method} ${path}: ${describe(error)}`,
      meta: { ...meta, ...(code ? { code } : {}) },
    });
  }

  private report(exchange: Exchange): void {
    try {
      this.onExchange?.(exchange);
    } catch (error) {
      this.context.log(`proxy: an exchange listener failed: ${describe(error)}`);
    }
  }
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return code && !message.includes(code) ? `${code}: ${message}` : message || String(code);
}

