/**
 * One HTTP call to a double with an optional JSON body (strings and Buffers are sent as they are):
 * the answer's status, headers, bytes, and its body parsed when it is JSON.
 */
export async function jsonCall(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const raw = typeof body === 'string' || Buffer.isBuffer(body);
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: raw ? body : JSON.stringify(body) } : {}),
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  const json = /\bjson\b/.test(res.headers.get('content-type') ?? '');
  return { status: res.status, headers: res.headers, bytes, body: json && bytes.length > 0 ? (JSON.parse(bytes.toString('utf8')) as any) : undefined };
}
