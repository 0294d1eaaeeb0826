/**
 * The control operations the dashboard adds: the page (GET /__ui), the journal as an event
 * stream (GET /__control/events) and one entry with its exchange (GET /__control/journal/{sequence}).
 */
import type { ControlHandler } from '../control/routes';
import { doubleError } from '../errors';
import { resumeFrom } from './events';
import { dashboardPage } from './page';

export const dashboardRoutes = {
  'GET /__ui': (_request, { runtime }) => dashboardPage(runtime.controlOperationIds),

  'GET /__control/events': (request, { runtime }) => {
    const { since, namespace } = request.query;
    return {
      status: 200,
      headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' },
      stream: runtime.streams.follow({ since: resumeFrom(since, request.headers['last-event-id']), ...(namespace !== undefined ? { namespace } : {}) }),
    };
  },

  'GET /__control/journal/{sequence}': (request, { runtime }) => {
    const sequence = Number(request.params.sequence);
    const entry = runtime.journal.entry(sequence);
    if (!entry) {
      throw doubleError('journalEntryNotFound', {
        detail: `the journal holds no entry ${sequence}: it keeps the last ${runtime.journal.capacity} requests`,
        source: { parameter: 'sequence' },
      });
    }
    const exchange = runtime.exchanges.get(sequence);
    return { status: 200, body: { entry, ...exchange } };
  },
} satisfies Record<string, ControlHandler>;
