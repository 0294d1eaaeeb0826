/**
 * Namespaces: isolated worlds inside one double, so parallel test workers sharing a sidecar never
 * see each other's apps. A request's `x-engine-double-namespace` header picks one (absent: the
 * default namespace ""); a namespace is made on first use from the default namespace's current
 * scenario. Each holds its current scenario, its world, its fault rules and its inline scenarios.
 * Names and counts are bounded, so no caller can exhaust the double's memory with namespaces.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { doubleError } from '../errors';
import type { ScenarioDocument } from '../scenarios/types';
import type { EngineModel } from '../state/engine';
import { FaultRules } from './faults';
import { Stubs } from './stubs';

export const NAMESPACE_HEADER = 'x-engine-double-namespace';
/** Longest namespace name. */
export const MAX_NAMESPACE_LENGTH = 64;
/** Most namespaces a double holds besides the default one unless told otherwise (--max-namespaces); a new one beyond gets 429. */
export const DEFAULT_MAX_NAMESPACES = 256;
/** The highest --max-namespaces accepted. */
export const MAX_NAMESPACES_LIMIT = 100_000;
/** Most inline scenarios one namespace may register. */
export const MAX_INLINE_SCENARIOS = 100;

const NAMESPACE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Why `name` is not a namespace name, or undefined when it is one. */
export function namespaceNameProblem(name: string): string | undefined {
  if (name.length > MAX_NAMESPACE_LENGTH) return `is ${name.length} characters long; at most ${MAX_NAMESPACE_LENGTH} are allowed`;
  if (!NAMESPACE_NAME.test(name)) return 'must be letters, digits, ".", "_" or "-", starting with a letter or digit';
  return undefined;
}

/**
 * The namespace a request addresses: "" (the default one) when it sends no header; a header that
 * is not a namespace name (empty, too long, other characters, sent twice) is a 400.
 */
export function namespaceOf(headers: IncomingHttpHeaders): string {
  const value = headers[NAMESPACE_HEADER];
  if (value === undefined) return '';
  // Node joins a repeated custom header with ", ", which no name may contain.
  const name = Array.isArray(value) ? value.join(', ') : value;
  const problem = namespaceNameProblem(name);
  if (problem === undefined) return name;
  const shown = name.length > MAX_NAMESPACE_LENGTH ? `${JSON.stringify(name.slice(0, MAX_NAMESPACE_LENGTH))}…` : JSON.stringify(name);
  throw doubleError('invalidNamespace', {
    detail: `the ${NAMESPACE_HEADER} header ${shown} ${problem}; send no header for the default namespace`,
    source: { header: NAMESPACE_HEADER },
    meta: { rule: 'namespaceName', maxLength: MAX_NAMESPACE_LENGTH, pattern: NAMESPACE_NAME.source },
  });
}

/**
 * Makes the worlds scenario documents describe (throws on a document the model refuses): `world`
 * at once; `prepare` does the long part ahead, in slices, so that `world` is then quick.
 */
export interface WorldBuilder {
  world(scenario: ScenarioDocument): EngineModel;
  prepare(scenario: ScenarioDocument): Promise<void>;
}

/** How a new world comes in: by a switch (reset then goes back to its scenario) or a restore (the world only). */
export type WorldChange = 'switch' | 'restore';

/** One world for Namespaces.replaceInSlices to put in place. */
export interface Replacement {
  /** By name: made if new, once its world is built. A namespace itself (a watch reload): never made again once dropped. */
  namespace: string | Namespace;
  /** Prepares the scenario document (validated, generators expanded); called once the replacement holds its ticket. */
  document: () => Promise<ScenarioDocument>;
  change: WorldChange;
}

/** One namespace: what it runs and the world it holds. */
export class Namespace {
  /** The scenario the world was last built from by a switch (what reset goes back to). */
  scenario: ScenarioDocument;
  model: EngineModel;
  readonly faults: FaultRules;
  /** Answers tried before the world's (PUT /__control/stubs). */
  readonly stubs: Stubs;
  /** Inline scenarios registered here, by name, as sent (generators expand at each switch, with its seed). */
  readonly inlineScenarios: Map<string, unknown>;
  /** The ticket of the replacement in place (0: none since the namespace was made); see place. */
  private placed = 0;

  constructor(
    readonly name: string,
    scenario: ScenarioDocument,
    private readonly build: WorldBuilder,
    /** Tickets of world replacements, in the order they start: shared by every namespace of one double. */
    private readonly nextTicket: () => number,
    faults: FaultRules,
    stubs: Stubs,
    inlineScenarios: ReadonlyMap<string, unknown> = new Map(),
  ) {
    this.model = build.world(scenario);
    this.scenario = scenario;
    this.faults = faults;
    this.stubs = stubs;
    this.inlineScenarios = new Map(inlineScenarios);
  }

  /** The current scenario's world, as it was loaded. */
  reset(): void {
    this.place(this.nextTicket(), this.build.world(this.scenario), this.scenario, 'switch');
  }

  /**
   * Puts `model`, made from `document`, in place, unless a replacement that started later (it holds
   * a later ticket) already is: a slow switch that finishes last never undoes a later one. True when it did.
   */
  place(ticket: number, model: EngineModel, document: ScenarioDocument, change: WorldChange): boolean {
    if (ticket < this.placed) return false;
    this.placed = ticket;
    this.model = model;
    if (change === 'switch') this.scenario = document;
    return true;
  }

  /** Keeps an inline scenario (validated by the caller); a new name beyond MAX_INLINE_SCENARIOS is a 429. */
  register(name: string, document: unknown): void {
    if (!this.inlineScenarios.has(name) && this.inlineScenarios.size >= MAX_INLINE_SCENARIOS) {
      throw doubleError('scenarioLimit', {
        detail: `this namespace already holds ${MAX_INLINE_SCENARIOS} inline scenarios; register over one of them or drop the namespace`,
        meta: { limit: MAX_INLINE_SCENARIOS },
      });
    }
    this.inlineScenarios.set(name, document);
  }
}

/** Every namespace of one double. */
export class Namespaces {
  private readonly byName = new Map<string, Namespace>();
  private faultRuleIds = 0;
  private stubIds = 0;
  private replacementTickets = 0;
  /** Tickets of world replacements, in the order they start (see Namespace.place). */
  private readonly nextTicket = (): number => (this.replacementTickets += 1);

  /**
   * Makes the default namespace now, so a bad start scenario stops the start. `limit` bounds memory:
   * a namespace's world shares its scenario's base and holds only what it changes.
   */
  constructor(
    initial: ScenarioDocument,
    private readonly build: WorldBuilder,
    readonly limit: number = DEFAULT_MAX_NAMESPACES,
  ) {
    if (!Number.isInteger(limit) || limit < 0 || limit > MAX_NAMESPACES_LIMIT) {
      throw new Error(`maxNamespaces must be a whole number from 0 to ${MAX_NAMESPACES_LIMIT}, not ${limit}`);
    }
    this.byName.set('', this.create('', initial));
  }

  /**
   * The namespace `name` ("" for the default one), made on first use from the default namespace's
   * current scenario and inline scenarios (not its world or faults). Beyond the limit: 429.
   */
  get(name: string): Namespace {
    const existing = this.byName.get(name);
    if (existing) return existing;
    if (this.byName.size - 1 >= this.limit) {
      throw doubleError('namespaceLimit', {
        detail: `the double already holds ${this.limit} namespaces besides the default one (--max-namespaces); drop unused ones with DELETE /__control/namespace`,
        source: { header: NAMESPACE_HEADER },
        meta: { limit: this.limit },
      });
    }
    const origin = this.default();
    const made = this.create(name, origin.scenario, origin.inlineScenarios);
    this.byName.set(name, made);
    return made;
  }

  /** The namespace `name` if it exists; never makes one (a lookup of faults or stubs needs no world). */
  find(name: string): Namespace | undefined {
    return this.byName.get(name);
  }

  /** The inline scenarios namespace `name` holds, or would start with if it were made now (the default one's); makes none. */
  inlineScenariosOf(name: string): ReadonlyMap<string, unknown> {
    return (this.find(name) ?? this.default()).inlineScenarios;
  }

  /**
   * Puts new worlds in place, all or nothing, while the double keeps answering: every document is
   * prepared and its world's base decoded in slices first, and only then does each namespace run
   * its world (one given by name is made then, if new). A document that fails changes nothing and
   * makes no namespace. Each replacement takes its ticket now, so a switch, reset or restore that
   * starts later wins even when this one finishes after it. Tells, per namespace, whether its world
   * was put in place.
   */
  async replaceInSlices(replacements: readonly Replacement[]): Promise<{ namespace: Namespace; placed: boolean }[]> {
    const tickets = replacements.map(this.nextTicket);
    // Async, so a document that throws at once still lets Promise.all see every other one's refusal.
    const documents = await Promise.all(replacements.map(async (replacement) => replacement.document()));
    await Promise.all(documents.map((document) => this.build.prepare(document)));
    const worlds = documents.map((document) => this.build.world(document));
    const namespaces = replacements.map(({ namespace }) => (typeof namespace === 'string' ? this.get(namespace) : namespace));
    return namespaces.map((namespace, index) => ({
      namespace,
      placed: namespace.place(tickets[index]!, worlds[index]!, documents[index]!, replacements[index]!.change),
    }));
  }

  default(): Namespace {
    return this.byName.get('')!;
  }

  /** Forgets a namespace; the default one stays. */
  drop(name: string): void {
    if (name !== '') this.byName.delete(name);
  }

  /** Sorted by name, the default ("") first. */
  list(): Namespace[] {
    return [...this.byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  private create(name: string, scenario: ScenarioDocument, inline?: ReadonlyMap<string, unknown>): Namespace {
    return new Namespace(name, scenario, this.build, this.nextTicket, new FaultRules(() => (this.faultRuleIds += 1)), new Stubs(() => (this.stubIds += 1)), inline);
  }
}
