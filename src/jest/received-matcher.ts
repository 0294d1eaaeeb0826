/**
 * `expect(engine).toHaveReceived(matcher, times?)`: searches the double's journal with a matcher
 * (POST /__control/journal/find, of the namespace the handle addresses) and fails with the report
 * `engine.verify` throws: the matches, or when none matched the near misses with what differed.
 * `.not.toHaveReceived(matcher)` passes when no request matches.
 */
import type { EngineDoubleControl } from '../client';
import type { JournalMatcher } from '../control/request-matcher';
import { expectedRange, formatVerification, type VerifyTimes } from '../control/verification-report';
import type { MatcherResult } from './matcher';

/**
 * Anything whose journal can be searched: an in-process double, a connected client, or one of their namespaces.
 *
 * @example
 * const source: ReceivedSource = await connectEngineDouble(process.env.ENGINE_DOUBLE_URL!);
 */
export type ReceivedSource = Pick<EngineDoubleControl, 'find'>;

declare global {
  namespace jest {
    interface Matchers<R, T = {}> {
      /**
       * Passes when the double journaled as many requests matching `matcher` as `times` says
       * (exactly `times`, or within `atLeast`/`atMost`; nothing: at least one); else fails listing
       * the matches, or the near misses with what differed. Async: `await` it.
       */
      toHaveReceived(matcher: JournalMatcher, times?: VerifyTimes): Promise<R>;
    }
  }
}

function isReceivedSource(value: unknown): value is ReceivedSource {
  return typeof (value as Partial<ReceivedSource> | null)?.find === 'function';
}

/**
 * The matcher itself (qlik-engine-double/jest/matchers registers it).
 *
 * @example
 * expect.extend({ toHaveReceived });
 * await expect(engine).toHaveReceived({ operationId: 'POST /v1/apps/import', query: { mode: { equals: 'AUTOREPLACE' } } }, { times: 1 });
 */
export async function toHaveReceived(received: unknown, matcher: JournalMatcher, times: VerifyTimes = {}): Promise<MatcherResult> {
  if (!isReceivedSource(received)) {
    throw new TypeError(
      `expect(engine).toHaveReceived(matcher) needs what startEngineDouble() or connectEngineDouble() returns (something with find()); received ${received === null ? 'null' : typeof received}`,
    );
  }
  const range = expectedRange(times);
  const search = await received.find(matcher);
  const pass = search.count >= range.min && search.count <= range.max;
  return {
    pass,
    message: () => formatVerification(matcher, times, search, pass),
  };
}
