/**
 * Matches a request's method and path to an operation of the contract. Pure: a table built once
 * from the operations, then `match()` per request, which either finds the operation with its raw
 * path parameters or explains why not (404 with the nearest path, 405 with the allowed methods).
 */
import { doubleError } from '../errors';

interface Routable {
  id: string;
  method: string;
  path: string;
}

interface Template<Op extends Routable> {
  path: string;
  segments: string[];
  /** Per segment, the parameter it names, or undefined for a literal one: read once, not per request. */
  parameters: (string | undefined)[];
  /** The engine's media routes end in `{path}`, a parameter that spans segments ("a/b/c.png"). */
  trailingWildcard: string | undefined;
  operations: Map<string, Op>;
}

export interface RouteMatch<Op extends Routable> {
  operation: Op;
  /** Path parameters exactly as they arrived: still percent-encoded. */
  rawParams: Record<string, string>;
}

const PARAMETER = /^\{(.+)\}$/;
/** Path parameters that carry a whole media path, slashes included. */
const MULTI_SEGMENT_PARAMETERS = new Set(['path']);

function splitPath(path: string): string[] {
  return path.split('/').slice(1);
}

/** Literal segments before parameters, so /v1/apps/privileges wins over /v1/apps/{appId}. */
function specificity(segments: string[]): number[] {
  return segments.map((s) => (PARAMETER.test(s) ? 0 : 1));
}

function compareSpecificity(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const diff = (b[i] ?? -1) - (a[i] ?? -1);
    if (diff !== 0) return diff;
  }
  return 0;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

export class Router<Op extends Routable> {
  private readonly templates: Template<Op>[];

  constructor(operations: Op[]) {
    const byPath = new Map<string, Template<Op>>();
    for (const op of operations) {
      let template = byPath.get(op.path);
      if (!template) {
        const segments = splitPath(op.path);
        const last = PARAMETER.exec(segments[segments.length - 1] ?? '')?.[1];
        template = {
          path: op.path,
          segments,
          parameters: segments.map((segment) => PARAMETER.exec(segment)?.[1]),
          trailingWildcard: last !== undefined && MULTI_SEGMENT_PARAMETERS.has(last) ? last : undefined,
          operations: new Map(),
        };
        byPath.set(op.path, template);
      }
      template.operations.set(op.method, op);
    }
    this.templates = [...byPath.values()].sort((a, b) => compareSpecificity(specificity(a.segments), specificity(b.segments)));
  }

  /** Throws a DoubleError (404 or 405) when nothing matches. */
  match(method: string, pathname: string): RouteMatch<Op> {
    const segments = splitPath(pathname);
    const allowed = new Set<string>();
    for (const template of this.templates) {
      const rawParams = this.bind(template, segments);
      if (!rawParams) continue;
      const operation = template.operations.get(method);
      if (operation) return { operation, rawParams };
      for (const m of template.operations.keys()) allowed.add(m);
    }
    if (allowed.size > 0) {
      const allow = [...allowed].sort().join(', ');
      throw doubleError(
        'methodNotAllowed',
        { detail: `${method} is not an operation of ${pathname}; allowed: ${allow}`, meta: { allow: [...allowed].sort() } },
        { Allow: allow },
      );
    }
    const suggestion = this.nearest(method, pathname);
    throw doubleError('routeNotFound', {
      detail: `no operation matches ${method} ${pathname}${suggestion ? `; did you mean ${suggestion}?` : ''}`,
      ...(suggestion ? { meta: { suggestion } } : {}),
    });
  }

  private bind(template: Template<Op>, segments: string[]): Record<string, string> | undefined {
    const { segments: pattern, parameters, trailingWildcard } = template;
    const fixed = trailingWildcard ? pattern.length - 1 : pattern.length;
    if (trailingWildcard ? segments.length < fixed : segments.length !== fixed) return undefined;
    // Literal segments first: most templates fail there, before any parameter is collected.
    for (let i = 0; i < fixed; i += 1) {
      const name = parameters[i];
      if (name === undefined ? pattern[i] !== segments[i] : segments[i] === '') return undefined;
    }
    const params: Record<string, string> = {};
    for (let i = 0; i < fixed; i += 1) {
      const name = parameters[i];
      if (name !== undefined) params[name] = segments[i]!;
    }
    if (trailingWildcard) params[trailingWildcard] = segments.slice(fixed).join('/');
    return params;
  }

  /** The operation whose path, with the request's own segments put in its parameters, is closest. */
  private nearest(method: string, pathname: string): string | undefined {
    const segments = splitPath(pathname);
    let best: { distance: number; id: string } | undefined;
    for (const template of this.templates) {
      const filled = '/' + template.segments.map((s, i) => (PARAMETER.test(s) && segments[i] ? segments[i] : s)).join('/');
      const distance = editDistance(pathname, filled);
      const op = template.operations.get(method) ?? template.operations.values().next().value;
      if (op && (!best || distance < best.distance)) best = { distance, id: op.id };
    }
    const tolerance = Math.max(3, Math.floor(pathname.length * 0.3));
    return best && best.distance <= tolerance ? best.id : undefined;
  }
}
