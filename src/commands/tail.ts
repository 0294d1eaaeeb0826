/**
 * `qlik-engine-double tail <base-url> [--token T] [--namespace NS] [--since N] [--violations] [--json]`:
 * prints a running double's journal as it grows, one line per request, read from
 * GET /__control/events. When the stream drops (the double restarts, say) it reconnects where it
 * stopped, or from the start of a restarted double's new journal; a first connection that fails is an error.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { JournalEntry } from '../control/journal';
import { NAMESPACE_HEADER } from '../control/namespaces';
import { baseUrlText, parseBaseUrl } from '../url';
import { JOURNAL_ID_HEADER } from '../dashboard/events';
import type { CommandIo } from './io';

const RECONNECT_MS = 1000;

interface TailFlags {
  token?: string;
  namespace?: string;
  since?: number;
  violations?: boolean;
  json?: boolean;
}

function sequence(value: string): number {
  const n = Number(value);
  if (!/^\d{1,15}$/.test(value)) throw new InvalidArgumentError('expected a sequence number >= 0');
  return n;
}

/** One line of an entry: time, method, path, status, duration, namespace, operation, then violations as `rule at pointer`. Pure. */
export function formatEntry(entry: JournalEntry): string {
  const violations = [...entry.requestViolations, ...entry.responseViolations].map((v) => {
    const rule = String((v.meta as { rule?: unknown } | undefined)?.rule ?? ('code' in v ? v.code : 'contract'));
    const where = v.source?.pointer ?? v.source?.parameter ?? v.source?.header;
    return where === undefined ? rule : `${rule} at ${where}`;
  });
  const parts = [
    entry.time.slice(11, 23),
    `#${entry.sequence}`,
    entry.method,
    entry.path,
    entry.status === undefined ? 'dropped' : String(entry.status),
    `${entry.durationMs.toFixed(1)}ms`,
    ...(entry.namespace ? [`[${entry.namespace}]`] : []),
    ...(entry.operationId ? [`(${entry.operationId})`] : []),
    ...(entry.fault ? [`fault #${entry.fault.id}`] : []),
    ...(violations.length > 0 ? [`VIOLATION ${violations.join('; ')}`] : []),
  ];
  return parts.join('  ');
}

/** Feeds SSE text in; calls `onEvent` with each complete event's name, id and data. */
export function sseParser(onEvent: (event: { event: string; id?: string; data: string }) => void): (chunk: string) => void {
  let buffer = '';
  /** Where the next search for a blank line starts: a large event arriving in many chunks is scanned once, not once per chunk. */
  let scanFrom = 0;
  /** A chunk that ends in CR may be half of a CRLF: that CR waits for the next chunk. */
  let heldCr = '';
  return (chunk) => {
    let text = heldCr + chunk;
    heldCr = text.endsWith('\r') ? '\r' : '';
    if (heldCr) text = text.slice(0, -1);
    buffer += text.replace(/\r\n?/g, '\n');
    let end: number;
    while ((end = buffer.indexOf('\n\n', scanFrom)) !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      scanFrom = 0;
      let event = 'message';
      let id: string | undefined;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        const colon = line.indexOf(':');
        if (colon === 0) continue; // a comment (keep-alive)
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'id') id = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length > 0) onEvent({ event, ...(id !== undefined ? { id } : {}), data: data.join('\n') });
    }
    // The last character may be the first of a blank line's two.
    scanFrom = Math.max(0, buffer.length - 1);
  };
}

/** Where a connection of the stream resumes: after `since` in the journal named `journal` (JOURNAL_ID_HEADER). */
interface StreamPosition {
  since: number | undefined;
  journal?: string;
  /** The connection found a restarted double: read its new journal at once, without the reconnection pause. */
  restarted?: boolean;
}

/**
 * Reads one connection of the stream to its end; returns where the next one resumes. Throws when it
 * cannot connect. A double that restarted meanwhile has a new journal whose sequences began again:
 * its connection is dropped and the position says to read that journal from the start.
 */
async function readStream(url: string, headers: Record<string, string>, from: StreamPosition, flags: TailFlags, io: CommandIo, log: (text: string) => void): Promise<StreamPosition> {
  const query = new URLSearchParams();
  if (from.since !== undefined) query.set('since', String(from.since));
  if (flags.namespace !== undefined) query.set('namespace', flags.namespace);
  const res = await fetch(`${url}/__control/events${query.size > 0 ? `?${query}` : ''}`, { headers });
  if (!res.ok || !res.body) throw new Error(`GET /__control/events answered ${res.status}: ${(await res.text()).slice(0, 500)}`);
  const journal = res.headers.get(JOURNAL_ID_HEADER) ?? undefined;
  if (from.journal !== undefined && journal !== from.journal && from.since !== 0) {
    await res.body.cancel();
    log(`${url} restarted: its journal began again; reading it from the start\n`);
    return { since: 0, restarted: true, ...(journal !== undefined ? { journal } : {}) };
  }
  let last = from.since;
  const feed = sseParser(({ event, data }) => {
    if (event !== 'journal') return;
    const entry = JSON.parse(data) as JournalEntry;
    last = entry.sequence;
    if (flags.violations && entry.requestViolations.length === 0 && entry.responseViolations.length === 0) return;
    io.write(`${flags.json ? data : formatEntry(entry)}\n`);
  });
  const decoder = new TextDecoder();
  for await (const chunk of res.body) feed(decoder.decode(chunk as Uint8Array, { stream: true }));
  return { since: last, ...(journal !== undefined ? { journal } : {}) };
}

/** The `tail` command, for `program.addCommand(tailCommand(io, log))`; `log` gets the reconnection notes (stderr in the CLI). */
export function tailCommand(io: CommandIo, log: (text: string) => void): Command {
  return new Command('tail')
    .description("print a running double's requests as they arrive (GET /__control/events), violations included")
    .argument('<base-url>', 'the double, e.g. http://localhost:9076')
    .addOption(new Option('--token <token>', "the double's control token").env('CONTROL_TOKEN'))
    .option('--namespace <name>', 'only this namespace\'s requests ("" the default one)')
    .addOption(new Option('--since <sequence>', 'first print the requests the journal holds after this one (0: all)').argParser(sequence))
    .option('--violations', 'only requests with a contract violation')
    .option('--json', 'print each journal entry as a line of JSON')
    .action(async (base: string, flags: TailFlags) => {
      const url = baseUrlText(parseBaseUrl(base, 'the double\'s URL'));
      const headers: Record<string, string> = { accept: 'text/event-stream' };
      // An empty value (CONTROL_TOKEN= in a compose file) means none, as for serve.
      if (flags.token) headers.authorization = `Bearer ${flags.token}`;
      if (flags.namespace) headers[NAMESPACE_HEADER] = flags.namespace;
      let position = await readStream(url, headers, { since: flags.since }, flags, io, log);
      for (;;) {
        if (!position.restarted) {
          log(`the stream ended; reconnecting to ${url}\n`);
          await sleep(RECONNECT_MS);
        }
        try {
          position = await readStream(url, headers, { since: position.since ?? 0, ...(position.journal !== undefined ? { journal: position.journal } : {}) }, flags, io, log);
        } catch {
          // Not up again yet: try once more after a pause.
        }
      }
    });
}
