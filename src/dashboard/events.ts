/**
 * GET /__control/events: the journal as a Server-Sent Events stream, one `journal` event per entry
 * (its id the entry's sequence), for the dashboard, `qlik-engine-double tail` and any SSE client.
 * A reconnecting client says where it stopped (?since or Last-Event-ID) and first gets what the
 * journal still holds after that. Streams end when the double stops.
 */
import type { ServerResponse } from 'node:http';
import type { Journal, JournalEntry } from '../control/journal';
import { doubleError } from '../errors';

/** A comment line this often keeps proxies and idle timeouts from closing a quiet stream. */
export const KEEP_ALIVE_MS = 15_000;
/**
 * A client that lets this much of the live events go unread is cut off (it may reconnect with
 * Last-Event-ID), so a stalled reader cannot grow the double's memory. The replay is not counted:
 * the journal's size bounds it, and a slow link must be able to take it.
 */
export const MAX_UNREAD_BYTES = 1024 * 1024;
/**
 * Most streams open at once. Each may replay the whole journal into its socket's buffer before
 * the unread limit applies, so their number bounds what clients asking `?since=0` together can cost.
 */
export const MAX_EVENT_STREAMS = 64;

export interface StreamSelection {
  /** Replay the held entries after this sequence first; absent: live entries only. */
  since?: number;
  /** Only this namespace's entries ("" the default one, with the entries whose header was refused); absent: all. */
  namespace?: string;
}

/** One SSE event of a journal entry. */
export function journalEvent(entry: JournalEntry): string {
  return `event: journal\nid: ${entry.sequence}\ndata: ${JSON.stringify(entry)}\n\n`;
}

/** The stream's response header naming the journal (Journal.id): it changes when the double restarts and its sequences begin again. */
export const JOURNAL_ID_HEADER = 'x-engine-double-journal';

export class EventStreams {
  private readonly open = new Set<ServerResponse>();

  constructor(private readonly journal: Journal) {}

  /**
   * The `stream` of a GET /__control/events response: replays, then follows the journal until the
   * client leaves. Refused with 429 STREAM_LIMIT while MAX_EVENT_STREAMS are open.
   */
  follow({ since, namespace }: StreamSelection): (res: ServerResponse) => void {
    if (this.open.size >= MAX_EVENT_STREAMS) {
      throw doubleError('streamLimit', {
        detail: `${MAX_EVENT_STREAMS} event streams are open, as many as the double serves at once: close one, or resume later with Last-Event-ID`,
        meta: { limit: MAX_EVENT_STREAMS },
      });
    }
    return (res) => {
      // Several requests may pass the check above before any of their streams opens: end the surplus.
      if (this.open.size >= MAX_EVENT_STREAMS) {
        res.end(': too many event streams are open (STREAM_LIMIT)\n\n');
        return;
      }
      let unreadLimit = Infinity;
      const write = (text: string) => {
        if (res.destroyed || res.writableEnded) return;
        res.write(text);
        if (res.writableLength > unreadLimit) res.destroy();
      };
      const send = (entry: JournalEntry) => {
        if (namespace === undefined || (entry.namespace ?? '') === namespace) write(journalEvent(entry));
      };
      // A first line at once, so a client knows the stream is open before any request arrives.
      write(': qlik-engine-double journal\n\n');
      if (since !== undefined) for (const entry of this.journal.list()) if (entry.sequence > since) send(entry);
      unreadLimit = res.writableLength + MAX_UNREAD_BYTES;
      const unsubscribe = this.journal.subscribe(send);
      const keepAlive = setInterval(() => write(': keep-alive\n\n'), KEEP_ALIVE_MS).unref();
      this.open.add(res);
      res.once('close', () => {
        unsubscribe();
        clearInterval(keepAlive);
        this.open.delete(res);
      });
    };
  }

  /** Ends every open stream and its connection (the double is stopping: nothing else would end them). */
  endAll(): void {
    for (const res of this.open) res.end(() => res.socket?.destroy());
  }
}

/** Where a stream starts: ?since, else a Last-Event-ID header of digits, else live only. */
export function resumeFrom(since: string | undefined, lastEventId: string | string[] | undefined): number | undefined {
  if (since !== undefined) return Number(since);
  return typeof lastEventId === 'string' && /^\d{1,15}$/.test(lastEventId) ? Number(lastEventId) : undefined;
}
