/**
 * The control operations the dashboard adds: the page (GET /__ui), the journal as an event
 * stream (GET /__control/events) and one entry with its exchange (GET /__control/journal/{sequence}).
 */
import type { ControlRouteTable } from '../control/services';
import { doubleError } from '../errors';
import { JOURNAL_ID_HEADER, resumeFrom } from './events';
import { dashboardPage } from './page';

export const dashboardRoutes = {
  'GET /__ui': (_request, { services }) => dashboardPage(services.controlOperationIds),

  'GET /__control/events': (request, { services }) => {
    const { since, namespace } = request.query;
    return {
      status: 200,
      headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no', [JOURNAL_ID_HEADER]: services.journal.id },
      stream: services.streams.follow({ since: resumeFrom(since, request.headers['last-event-id']), ...(namespace !== undefined ? { namespace } : {}) }),
    };
  },

  'GET /__control/journal/{sequence}': (request, { services }) => {
    const sequence = Number(request.params.sequence);
    const entry = services.journal.entry(sequence);
    if (!entry) {
      throw doubleError('journalEntryNotFound', {
        detail: `the journal holds no entry ${sequence}: it keeps the last ${services.journal.capacity} requests`,
        source: { parameter: 'sequence' },
      });
    }
    const exchange = services.exchanges.shown(entry);
    return { status: 200, body: { entry, ...exchange } };
  },
} satisfies Partial<ControlRouteTable>;
