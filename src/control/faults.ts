/**
 * Fault injection: rules that make some engine requests of a namespace slow, fail with a chosen
 * status, or lose their connection. Matching is pure (`pathMatches`, `firstMatchingRule`);
 * `FaultRules` holds one namespace's rules with their counts. The pipeline applies what `take`
 * returns; the contract (FaultRule in spec/control-api.json) bounds every number before a rule
 * gets here, so this module checks only what a schema cannot say.
 */
import { doubleError, type Problem } from '../errors';
import type { ActiveFaultRule, AppliedFault, FaultRuleInput } from '../spec/types';

/**
 * Rules as the control contract (spec/control-api.json) types them: FaultRuleInput (its FaultRule)
 * as PUT /__control/faults takes it; ActiveFaultRule, numbered (`id`) with its counters
 * (`remaining` for a rule with a count, `applied`), as GET /__control/faults lists it.
 */
export type { ActiveFaultRule, FaultRuleInput } from '../spec/types';

/** A rule as set, numbered: what the journal records for a request it hit (AppliedFault of the control contract). */
export type FaultRule = AppliedFault;

const GLOBSTAR = '**';
const STAR = '*';
/** Characters no request path carries unescaped: a pattern with them can never match. */
const FORBIDDEN_IN_PATTERN = /[\s?#\u0000-\u001f\u007f]/;

/**
 * Why `pattern` is not a path pattern, or undefined when it is one: it starts with "/", has no
 * query, fragment, whitespace or control characters, and "**" stands only as a whole segment.
 */
export function patternProblem(pattern: string): string | undefined {
  if (!pattern.startsWith('/')) return `must start with "/" (a request path), not ${JSON.stringify(pattern.slice(0, 1))}`;
  if (FORBIDDEN_IN_PATTERN.test(pattern)) return 'must not contain whitespace, control characters, "?" or "#": it matches the path only, never the query string';
  const mixed = pattern.split('/').find((segment) => segment.includes(GLOBSTAR) && segment !== GLOBSTAR);
  if (mixed !== undefined) return `has the segment ${JSON.stringify(mixed)}: "**" must be a whole segment ("/v1/apps/**"); use "*" within a segment`;
  return undefined;
}

/**
 * Does `text` match `pattern`, where items for which `isStar` holds match any run of items
 * (zero included) and the others match as `same` says? Greedy with one backtrack point: linear
 * in practice, at worst |pattern| × |text|, so no pattern can stall the double.
 */
function wildcardMatch<T>(pattern: readonly T[], text: readonly T[], isStar: (item: T) => boolean, same: (p: T, t: T) => boolean): boolean {
  let p = 0;
  let t = 0;
  let starAt = -1;
  let resumeAt = 0;
  while (t < text.length) {
    if (p < pattern.length && isStar(pattern[p]!)) {
      starAt = p;
      resumeAt = t;
      p += 1;
    } else if (p < pattern.length && same(pattern[p]!, text[t]!)) {
      p += 1;
      t += 1;
    } else if (starAt !== -1) {
      p = starAt + 1;
      resumeAt += 1;
      t = resumeAt;
    } else {
      return false;
    }
  }
  while (p < pattern.length && isStar(pattern[p]!)) p += 1;
  return p === pattern.length;
}

function segmentMatches(pattern: string, segment: string): boolean {
  return wildcardMatch([...pattern], [...segment], (c) => c === STAR, (a, b) => a === b);
}

/**
 * Does a request path (as sent, without the query) match a valid pattern? "*" matches any
 * characters within one segment; a "**" segment matches any number of whole segments, none
 * included: "/v1/apps/**" matches /v1/apps, /v1/apps/x and /v1/apps/x/media/y.
 */
export function pathMatches(pattern: string, path: string): boolean {
  return wildcardMatch(pattern.split('/'), path.split('/'), (segment) => segment === GLOBSTAR, segmentMatches);
}

/** The first rule that applies to a request, or undefined. */
export function firstMatchingRule<R extends FaultRuleInput>(rules: readonly R[], method: string, path: string): R | undefined {
  return rules.find((rule) => (rule.method === undefined || rule.method === method) && pathMatches(rule.path, path));
}

/** What the contract cannot say about rules: bad patterns, rules without effect, status with drop. */
export function faultRuleProblems(rules: readonly FaultRuleInput[]): Problem[] {
  const problems: Problem[] = [];
  rules.forEach((rule, index) => {
    const pointer = `/rules/${index}`;
    const badPattern = patternProblem(rule.path);
    if (badPattern !== undefined) {
      problems.push({ detail: `${pointer}/path ${badPattern}`, source: { pointer: `${pointer}/path` }, meta: { rule: 'pathPattern' } });
    }
    if (rule.latencyMs === undefined && rule.status === undefined && rule.drop !== true && rule.closeAfterMessages === undefined) {
      problems.push({ detail: `${pointer} has no effect: give it latencyMs, status, drop or closeAfterMessages`, source: { pointer }, meta: { rule: 'effect' } });
    }
    if (rule.status !== undefined && rule.drop === true) {
      problems.push({
        detail: `${pointer} both answers a status and drops the connection: choose one`,
        source: { pointer: `${pointer}/drop` },
        meta: { rule: 'effect' },
      });
    }
  });
  return problems;
}

/** Throws a 400 listing each problem of `rules`; callers check before they make anything (a namespace, say). */
export function refuseBadFaultRules(rules: readonly FaultRuleInput[]): void {
  const problems = faultRuleProblems(rules);
  if (problems.length > 0) throw doubleError('invalidFaultRule', problems);
}

/** One namespace's fault rules, tried in order; counted rules expire once used up. */
export class FaultRules {
  private rules: ActiveFaultRule[] = [];

  /** `nextId` numbers rules across every namespace, so a journaled id names one rule. */
  constructor(private readonly nextId: () => number) {}

  /** Replaces every rule, or throws a 400 listing each problem and changes nothing. */
  replace(inputs: readonly FaultRuleInput[]): ActiveFaultRule[] {
    refuseBadFaultRules(inputs);
    this.rules = inputs.map((input) => ({
      id: this.nextId(),
      ...input,
      ...(input.count !== undefined ? { remaining: input.count } : {}),
      applied: 0,
    }));
    return this.list();
  }

  list(): ActiveFaultRule[] {
    return this.rules.map((rule) => ({ ...rule }));
  }

  clear(): void {
    this.rules = [];
  }

  /** The rule that hits this request, counted as applied; a rule whose count is used up is gone after. */
  take(method: string, path: string): FaultRule | undefined {
    const rule = firstMatchingRule(this.rules, method, path);
    if (rule === undefined) return undefined;
    rule.applied += 1;
    if (rule.remaining !== undefined) {
      rule.remaining -= 1;
      if (rule.remaining === 0) this.rules = this.rules.filter((r) => r !== rule);
    }
    const { remaining: _remaining, applied: _applied, ...applied } = rule;
    return applied;
  }
}
