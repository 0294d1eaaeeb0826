/**
 * What the benchmark needs around the servers it measures: free loopback ports, child processes
 * that are always reaped, polling for a first 200, plain HTTP calls, RSS from /proc, and one
 * autocannon run reduced to the figures the report prints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import autocannon from 'autocannon';

/** The package root, from .tmp/bench/ where the compiled bench runs. */
export const ROOT = path.resolve(__dirname, '..', '..');
/** Every server the benchmark starts listens here and nowhere else. */
export const LOOPBACK = '127.0.0.1';
export const MIB = 1024 * 1024;

/** How long a server may take to answer its first 200 before the run gives up on it. */
const READY_TIMEOUT_MS = 20_000;
/** How long a child gets after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 3_000;
/** Kept from a child's stderr, to say why it failed. */
const STDERR_TAIL_BYTES = 4_096;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, LOOPBACK);
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** A child process of the benchmark, with the end of its stderr kept for error messages. */
export interface Child {
  process: ChildProcess;
  pid: number;
  stderrTail(): string;
}

const children = new Set<ChildProcess>();

/** Kills every child still running: the run never leaves a server behind, even when it fails. */
export function killChildren(): void {
  for (const child of children) child.kill('SIGKILL');
}
process.on('exit', killChildren);

/** Runs a Node script (by path) as a child; stdout is piped only when the caller reads it. */
export function startNode(args: string[], options: { stdout?: 'pipe' | 'ignore'; ipc?: boolean } = {}): Child {
  const stdio = ['ignore', options.stdout ?? 'ignore', 'pipe', ...(options.ipc ? ['ipc' as const] : [])] as const;
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: [...stdio] });
  if (child.pid === undefined) throw new Error(`could not start node ${args.join(' ')}`);
  children.add(child);
  child.once('exit', () => children.delete(child));
  let tail = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    tail = (tail + text).slice(-STDERR_TAIL_BYTES);
  });
  return { process: child, pid: child.pid, stderrTail: () => tail.trim() };
}

export async function stopChild(child: Child): Promise<void> {
  const { process: proc } = child;
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = once(proc, 'exit');
  proc.kill('SIGTERM');
  const killer = setTimeout(() => proc.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(killer);
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface Call {
  method?: string;
  headers?: Record<string, string | number>;
  body?: Buffer | string;
  /** Count the body's bytes instead of keeping them (downloads of large files). */
  discardBody?: boolean;
}

/** One request on its own connection; `body` is empty when `discardBody` is set, `bytes` counts it either way. */
export function call(url: string, options: Call = {}): Promise<Reply & { bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (!options.discardBody) chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Polls `url` every `intervalMs` until it answers 200; resolves with performance.now() of that answer. */
export async function firstOk(url: string, child: Child, intervalMs = 5): Promise<number> {
  const deadline = performance.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.process.exitCode !== null || child.process.signalCode !== null) {
      throw new Error(`the server exited before answering ${url}: ${child.stderrTail() || 'no stderr'}`);
    }
    try {
      const reply = await call(url, { discardBody: true });
      if (reply.status === 200) return performance.now();
    } catch {
      // Not listening yet: poll again.
    }
    if (performance.now() > deadline) throw new Error(`no 200 from ${url} within ${READY_TIMEOUT_MS} ms: ${child.stderrTail() || 'no stderr'}`);
    await sleep(intervalMs);
  }
}

/** Linux reports process CPU time in clock ticks of 1/100 s (USER_HZ). */
const CLOCK_TICK_MS = 10;

/**
 * CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat. Unlike wall
 * time it does not grow when other work competes for the cores, so it tells cost from contention.
 */
export function cpuTimeMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15 of the line.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS;
}

/** Starts a server child and resolves once `url` answers 200, with the time from spawn to that answer and the CPU time it used. */
export async function startServer(args: string[], url: string): Promise<{ child: Child; readyMs: number; cpuMs: number }> {
  const spawned = performance.now();
  const child = startNode(args);
  const answered = await firstOk(url, child);
  return { child, readyMs: answered - spawned, cpuMs: cpuTimeMs(child.pid) };
}

interface MemoryStatus {
  rssMiB: number;
  peakRssMiB: number;
}

/** VmRSS and VmHWM (peak RSS) of a process, in MiB, from /proc. */
export function memoryOf(pid: number): MemoryStatus {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!match) throw new Error(`/proc/${pid}/status has no ${field}`);
    return Number(match[1]) / 1024;
  };
  return { rssMiB: kib('VmRSS'), peakRssMiB: kib('VmHWM') };
}

/** Resets a process's VmHWM to its current RSS; false where the kernel does not allow it. */
export function resetPeakRss(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

export interface LoadFigures {
  requestsPerSecond: number;
  /** CPU time the server used per answered request, in µs (from /proc, so immune to contention). */
  serverCpuMicrosPerRequest: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
}

export interface Load {
  url: string;
  /** The server under load, whose CPU time is read before and after. */
  serverPid: number;
  method?: 'GET' | 'POST';
  body?: string;
  seconds: number;
  connections: number;
}

/** One autocannon run in this process (the server under test runs in another). */
export async function loadTest({ url, serverPid, method = 'GET', body, seconds, connections }: Load): Promise<LoadFigures> {
  const cpuBefore = cpuTimeMs(serverPid);
  const result = await autocannon({
    url,
    method,
    connections,
    duration: seconds,
    ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
  });
  const cpuMs = cpuTimeMs(serverPid) - cpuBefore;
  return {
    requestsPerSecond: result.requests.average,
    serverCpuMicrosPerRequest: result.requests.total > 0 ? (cpuMs * 1000) / result.requests.total : 0,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}
