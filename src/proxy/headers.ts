/**
 * Which headers a proxy passes on. Hop-by-hop headers describe one connection, not the message
 * (RFC 9110 §7.6.1), so they stop at the proxy in both directions; everything else goes through
 * as sent, in order, with repeats (two Set-Cookie lines stay two).
 */

/** Always hop-by-hop, whatever the Connection header lists. */
const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** The header names a Connection header lists ("keep-alive, X-Trace" → keep-alive, x-trace). */
function connectionOptions(rawHeaders: readonly string[]): Set<string> {
  const named = new Set<string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() !== 'connection') continue;
    for (const token of rawHeaders[i + 1]!.split(',')) {
      const name = token.trim().toLowerCase();
      if (name !== '') named.add(name);
    }
  }
  return named;
}

/**
 * A raw header list (`[name, value, name, value, …]`, as `IncomingMessage.rawHeaders`) without
 * hop-by-hop headers, the headers the Connection header names, and the names in `drop` (lower case).
 */
export function endToEndHeaders(rawHeaders: readonly string[], drop: readonly string[] = []): string[] {
  const skipped = new Set([...HOP_BY_HOP, ...connectionOptions(rawHeaders), ...drop]);
  const kept: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (!skipped.has(name.toLowerCase())) kept.push(name, rawHeaders[i + 1]!);
  }
  return kept;
}
