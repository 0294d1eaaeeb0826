/**
 * The dashboard's browser code (GET /__ui): plain DOM, no framework. It follows the journal over
 * GET /__control/events and reads the other control calls on demand, all with URLs relative to
 * the page, so it works under a base path. With a control token, the page was opened as
 * /__ui?token=T and every call sends it as a bearer token.
 */
import type { CoverageReport } from '../../control/coverage';
import type { JournalEntry } from '../../control/journal';
import type { ActiveStub } from '../../control/stubs';
import type { ErrorEntry, Problem } from '../../errors';
import type { CapturedBody, CapturedMessage, Exchange } from '../exchanges';

/** NAMESPACE_HEADER of src/control/namespaces (a value import would make the browser fetch that module). */
const NAMESPACE_HEADER = 'x-engine-double-namespace';
/** Entries the page keeps; older ones fall off (the journal on the double keeps its own). */
const KEPT_ENTRIES = 1000;
const RECONNECT_MS = 1000;
const CHART_BUCKET_MS = 10_000;
const CHART_BUCKETS = 30;
/** Control calls that change a world: when one passes, the Worlds and Health views are read again. */
const WORLD_CHANGES = /^(PUT|POST|DELETE) \/__control\/(scenario|scenarios|reset|state|faults|namespace|stubs)/;

type Violation = ErrorEntry | Problem;
/** A journal entry; QIX entries (the websocket door) may carry the method and handle. */
type Entry = JournalEntry;
/** JournalEntryDetail of the control contract. */
type EntryDetail = { entry: Entry } & Partial<Exchange>;

const token = new URLSearchParams(location.search).get('token');
/** What the Operation column says of the other doors' entries, which have no operation of the REST contract. */
const DOOR_LABELS: Record<NonNullable<JournalEntry['door']>, string> = { qix: 'QIX websocket', metrics: 'metrics port' };

/** The control operations this double has (the page's meta tag), e.g. `GET /__control/stubs` where stubs exist. */
const controlOperations = new Set(document.querySelector<HTMLMetaElement>('meta[name=control-operations]')?.content.split(',') ?? []);

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
}

/** An element with text and attributes; children appended in order. */
function el(tag: string, attributes: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElement {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function namespaceLabel(namespace: string | undefined): string {
  return namespace === undefined ? '(refused)' : namespace === '' ? 'default' : namespace;
}

/** A call to the double's control API (relative URL), with the control token and the namespace header. */
async function control(path: string, init: RequestInit & { namespace?: string } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  if (init.namespace) headers.set(NAMESPACE_HEADER, init.namespace);
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  return fetch(path, { ...init, headers, cache: 'no-store' });
}

/** The JSON answer of a control call, or an Error that says what the double answered. */
async function controlJson<T>(path: string, init: RequestInit & { namespace?: string } = {}): Promise<T> {
  const res = await control(path, init);
  const text = await res.text();
  if (!res.ok) throw new Error(errorText(res.status, text));
  return (text ? JSON.parse(text) : undefined) as T;
}

function errorText(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as { errors?: { code: string; detail: string }[] };
    return `${status}: ${(body.errors ?? []).map((e) => `${e.code} ${e.detail}`).join('; ')}`;
  } catch {
    return `${status}: ${text.slice(0, 200)}`;
  }
}

// ---- views (tabs) ----

const tabs = [...document.querySelectorAll<HTMLButtonElement>('[role=tab]')];
const viewOpened: Record<string, () => void> = {};

function showTab(tab: HTMLButtonElement, focus = false): void {
  for (const other of tabs) {
    const selected = other === tab;
    other.setAttribute('aria-selected', String(selected));
    other.tabIndex = selected ? 0 : -1;
    byId(other.getAttribute('aria-controls')!).hidden = !selected;
  }
  if (focus) tab.focus();
  viewOpened[tab.getAttribute('aria-controls')!]?.();
}

function visible(view: string): boolean {
  return !byId(view).hidden;
}

for (const tab of tabs) {
  tab.addEventListener('click', () => showTab(tab));
  tab.addEventListener('keydown', (event) => {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0) return;
    event.preventDefault();
    showTab(tabs[(tabs.indexOf(tab) + step + tabs.length) % tabs.length]!, true);
  });
}

// ---- traffic ----

const entries: Entry[] = [];
/** Entries arrived while paused or before the next frame, not yet drawn. */
let pending: Entry[] = [];
let paused = false;
let frameAsked = false;
let selected: number | undefined;
const tbody = byId<HTMLTableElement>('traffic-table').tBodies[0]!;
const filters = {
  namespace: byId<HTMLSelectElement>('f-namespace'),
  operation: byId<HTMLSelectElement>('f-operation'),
  status: byId<HTMLSelectElement>('f-status'),
  violations: byId<HTMLInputElement>('f-violations'),
  control: byId<HTMLInputElement>('f-control'),
};
const knownNamespaces = new Set<string>();
const knownOperations = new Set<string>();

function violationsOf(entry: Entry): Violation[] {
  return [...entry.requestViolations, ...entry.responseViolations];
}

function ruleOf(violation: Violation): string {
  return String(violation.meta?.rule ?? ('code' in violation ? violation.code : 'contract'));
}

function pointerOf(violation: Violation): string | undefined {
  const { source } = violation;
  if (!source) return undefined;
  if (source.pointer !== undefined) return source.pointer;
  if (source.parameter !== undefined) return `parameter ${source.parameter}`;
  if (source.header !== undefined) return `header ${source.header}`;
  return undefined;
}

function isControl(entry: Entry): boolean {
  return entry.operationId === undefined ? /\/__(control|ui)\b/.test(entry.path) : /^\w+ \/__(control|ui)\b/.test(entry.operationId);
}

function shown(entry: Entry): boolean {
  if (!filters.control.checked && isControl(entry)) return false;
  if (filters.violations.checked && violationsOf(entry).length === 0) return false;
  if (filters.namespace.value !== '*' && (entry.namespace ?? '') !== filters.namespace.value) return false;
  if (filters.operation.value !== '*' && entry.operationId !== filters.operation.value) return false;
  const status = filters.status.value;
  if (status === 'none') return entry.status === undefined;
  return status === '*' || String(entry.status ?? '').startsWith(status);
}

function addOption(select: HTMLSelectElement, known: Set<string>, value: string, label: string): void {
  if (known.has(value)) return;
  known.add(value);
  select.append(el('option', { value }, label));
}

function row(entry: Entry): HTMLTableRowElement {
  const violations = violationsOf(entry);
  const status = entry.status === undefined ? 'dropped' : String(entry.status);
  const open = el('button', { type: 'button', class: 'row-open', 'aria-label': `Open request ${entry.sequence}: ${entry.method} ${entry.path}` }, String(entry.sequence));
  const first = violations[0];
  const violationCell = first
    ? el('td', { class: 'rule' }, `${ruleOf(first)}${violations.length > 1 ? ` +${violations.length - 1}` : ''}`)
    : el('td', {}, '');
  const tr = el(
    'tr',
    { 'data-sequence': String(entry.sequence), class: violations.length > 0 ? 'violation' : '' },
    el('td', { class: 'num' }, open),
    el('td', { class: 'hide-narrow' }, entry.time.slice(11, 23)),
    el('td', {}, entry.method),
    el('td', { class: 'path' }, entry.path),
    el('td', { class: `num s${status[0]}` }, status),
    violationCell,
    el('td', { class: 'num hide-narrow' }, entry.durationMs.toFixed(1)),
    el('td', { class: 'hide-narrow' }, entry.operationId ?? (entry.door ? DOOR_LABELS[entry.door] : '(no operation)')),
    el('td', { class: 'hide-narrow' }, entry.qix?.method ? `${entry.qix.method}${entry.qix.handle !== undefined ? ` #${entry.qix.handle}` : ''}` : ''),
    el('td', { class: 'hide-narrow' }, namespaceLabel(entry.namespace)),
    el('td', { class: 'hide-narrow' }, entry.fault ? `#${entry.fault.id}${entry.fault.drop ? ' drop' : entry.fault.status ? ` ${entry.fault.status}` : ''}` : ''),
  ) as HTMLTableRowElement;
  if (entry.sequence === selected) tr.classList.add('selected');
  return tr;
}

function updateCounts(): void {
  const violating = entries.filter((e) => violationsOf(e).length > 0).length;
  byId('counts').textContent = `${tbody.rows.length} shown of ${entries.length}; ${violating} with violations${paused ? `; paused, ${pending.length} waiting` : ''}`;
}

function drawAll(): void {
  const fragment = document.createDocumentFragment();
  for (let i = entries.length - 1; i >= 0; i -= 1) if (shown(entries[i]!)) fragment.append(row(entries[i]!));
  tbody.replaceChildren(fragment);
  updateCounts();
}

/** Draws what arrived since the last frame, newest on top, and drops rows past what the page keeps. */
function drawPending(): void {
  frameAsked = false;
  if (paused || pending.length === 0) return updateCounts();
  const fragment = document.createDocumentFragment();
  for (let i = pending.length - 1; i >= 0; i -= 1) {
    const entry = pending[i]!;
    if (entry.namespace !== undefined) addOption(filters.namespace, knownNamespaces, entry.namespace, namespaceLabel(entry.namespace));
    if (entry.operationId) addOption(filters.operation, knownOperations, entry.operationId, entry.operationId);
    if (shown(entry)) fragment.append(row(entry));
  }
  pending = [];
  tbody.prepend(fragment);
  while (tbody.rows.length > KEPT_ENTRIES) tbody.deleteRow(-1);
  updateCounts();
}

function received(entry: Entry): void {
  entries.push(entry);
  if (entries.length > KEPT_ENTRIES) entries.shift();
  pending.push(entry);
  if (pending.length > KEPT_ENTRIES) pending.shift();
  chartAdd(entry);
  if (!frameAsked) {
    frameAsked = true;
    requestAnimationFrame(drawPending);
  }
  const operation = entry.operationId ?? '';
  if (!isControl(entry)) coverageChanged();
  else if (WORLD_CHANGES.test(operation)) worldChanged();
}

for (const input of Object.values(filters)) input.addEventListener('change', drawAll);

byId('pause').addEventListener('click', (event) => {
  paused = !paused;
  const button = event.currentTarget as HTMLButtonElement;
  button.setAttribute('aria-pressed', String(paused));
  button.textContent = paused ? 'Resume' : 'Pause';
  if (!paused) drawPending();
  updateCounts();
});

function clearTraffic(): void {
  entries.length = 0;
  pending = [];
  tbody.replaceChildren();
  closeDetail();
  updateCounts();
}

byId('clear').addEventListener('click', clearTraffic);

tbody.addEventListener('click', (event) => {
  const tr = (event.target as Element).closest('tr');
  if (tr?.dataset.sequence) void openDetail(Number(tr.dataset.sequence));
});

// ---- request detail ----

function headerList(headers: Record<string, string>): HTMLElement {
  const list = el('dl', { class: 'headers' });
  for (const [name, value] of Object.entries(headers)) list.append(el('dt', {}, name), el('dd', {}, value));
  return list;
}

function bodyView(body: CapturedBody | undefined): Node {
  if (!body) return el('p', { class: 'muted' }, 'No body.');
  const facts = `${body.size} bytes${body.contentType ? `, ${body.contentType}` : ''}`;
  if (body.text !== undefined) {
    let text = body.text;
    if (!body.truncated && /json/i.test(body.contentType ?? 'json')) {
      try {
        text = JSON.stringify(JSON.parse(text), null, 2);
      } catch {
        // Not JSON after all (a refused body, say): shown as it came.
      }
    }
    return el('div', {}, el('p', { class: 'muted' }, `${facts}${body.truncated ? ' (cut at 64 KiB)' : ''}`), el('pre', { tabindex: '0' }, text));
  }
  const part = el('div', {}, el('p', { class: 'muted' }, `${facts}; SHA-256 `, el('code', {}, body.sha256 ?? '?')));
  if (body.preview) part.append(el('img', { src: body.preview, alt: `preview of the ${body.contentType ?? 'image'} body` }));
  return part;
}

function messageView(title: string, message: CapturedMessage | undefined): HTMLElement {
  if (!message) return el('section', {}, el('h3', {}, title), el('p', { class: 'muted' }, 'Not kept (the double keeps the last 200 exchanges; proxy mode keeps none).'));
  return el('section', {}, el('h3', {}, title), headerList(message.headers), bodyView(message.body));
}

function violationList(title: string, violations: Violation[]): HTMLElement | string {
  if (violations.length === 0) return '';
  const list = el('ul', { class: 'violations' });
  for (const v of violations) {
    const pointer = pointerOf(v);
    list.append(el('li', {}, el('span', { class: 'rule' }, ruleOf(v)), pointer ? el('span', {}, ' at ', el('code', {}, pointer)) : '', el('div', {}, v.detail)));
  }
  return el('section', {}, el('h3', {}, title), list);
}

function closeDetail(): void {
  selected = undefined;
  byId('detail').hidden = true;
  byId('split').classList.remove('open');
  tbody.querySelector('tr.selected')?.classList.remove('selected');
}

async function openDetail(sequence: number): Promise<void> {
  tbody.querySelector('tr.selected')?.classList.remove('selected');
  selected = sequence;
  tbody.querySelector(`tr[data-sequence="${sequence}"]`)?.classList.add('selected');
  const entry = entries.find((e) => e.sequence === sequence);
  const panel = byId('detail');
  const body = byId('detail-body');
  panel.hidden = false;
  byId('split').classList.add('open');
  byId('detail-title').textContent = entry ? `#${sequence} ${entry.operationId ?? `${entry.method} ${entry.path}`}` : `#${sequence}`;
  byId('detail-title').focus();
  body.replaceChildren(el('p', { class: 'muted' }, 'Loading…'));
  let detail: EntryDetail | undefined;
  try {
    detail = await controlJson<EntryDetail>(`__control/journal/${sequence}`);
  } catch (error) {
    if (!entry) return void body.replaceChildren(el('p', { class: 'error' }, (error as Error).message));
  }
  const shownEntry = detail?.entry ?? entry!;
  body.replaceChildren(
    el('p', {}, el('code', {}, `${shownEntry.method} ${shownEntry.path}`), ` → ${shownEntry.status ?? 'dropped'} in ${shownEntry.durationMs} ms, namespace ${namespaceLabel(shownEntry.namespace)}`),
    violationList('Request violations', shownEntry.requestViolations),
    violationList('Response violations', shownEntry.responseViolations),
    shownEntry.fault ? el('p', {}, `Fault rule #${shownEntry.fault.id} hit this request.`) : '',
    messageView('Request', detail?.request),
    messageView('Response', detail?.response),
  );
}

byId('detail-close').addEventListener('click', () => {
  const back = selected;
  closeDetail();
  tbody.querySelector<HTMLButtonElement>(`tr[data-sequence="${back}"] button`)?.focus();
});
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && !byId('detail').hidden) byId('detail-close').click();
});

// ---- the journal stream ----

let lastSequence = 0;
/** The journal the sequences count in (the stream's X-Engine-Double-Journal): another one means the double restarted. */
let journalName: string | null = null;

function streamState(text: string): void {
  byId('stream-state').textContent = text;
}

/** Reads GET /__control/events (fetch, not EventSource: it sends the control token as a header); reconnects where it stopped, or from the start of a restarted double's journal. */
async function follow(): Promise<void> {
  for (;;) {
    try {
      const res = await control(`__control/events?since=${lastSequence}`);
      if (!res.ok || !res.body) throw new Error(errorText(res.status, await res.text()));
      const name = res.headers.get('x-engine-double-journal');
      if (journalName !== null && name !== journalName && lastSequence > 0) {
        // A restarted double numbers its requests from 1 again: what was shown is another run's.
        await res.body.cancel();
        journalName = name;
        lastSequence = 0;
        clearTraffic();
        streamState('the double restarted; reading its new journal');
        continue;
      }
      journalName = name;
      streamState('live');
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = event.split('\n').filter((line) => line.startsWith('data: ')).map((line) => line.slice(6)).join('\n');
          if (!/^event: journal$/m.test(event) || !data) continue;
          const entry = JSON.parse(data) as Entry;
          lastSequence = Math.max(lastSequence, entry.sequence);
          received(entry);
        }
      }
      streamState('disconnected; reconnecting…');
    } catch (error) {
      streamState(`disconnected (${(error as Error).message}); reconnecting…`);
    }
    await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
  }
}

/** Runs `work` at most once per `ms`, the last call winning. */
function debounce(work: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(work, ms);
  };
}

// ---- coverage ----

function countClass(count: number): string {
  return count === 0 ? 'b0' : count === 1 ? 'b1' : count < 5 ? 'b2' : count < 20 ? 'b3' : 'b4';
}

async function drawCoverage(): Promise<void> {
  let report: CoverageReport;
  try {
    report = await controlJson<CoverageReport>('__control/coverage');
  } catch (error) {
    byId('coverage-summary').textContent = (error as Error).message;
    return;
  }
  const { summary } = report;
  byId('coverage-summary').textContent =
    `Operations exercised: ${summary.exercised} of ${summary.operations} (${summary.percent}%). ` +
    `Documented statuses answered: ${summary.statusesExercised} of ${summary.statuses} (${summary.statusPercent}%). Since ${new Date(report.since).toLocaleTimeString()}.`;
  const statuses = [...new Set(report.operations.flatMap((op) => Object.keys(op.documented)))].sort();
  const grid = byId<HTMLTableElement>('coverage-grid');
  grid.tHead!.replaceChildren(
    el('tr', {}, el('th', { scope: 'col' }, 'Operation'), el('th', { scope: 'col', class: 'num' }, 'Requests'), ...statuses.map((s) => el('th', { scope: 'col', class: 'num' }, s)), el('th', { scope: 'col' }, 'Undocumented')),
  );
  const rows = report.operations.map((op) => {
    const cells = statuses.map((status) => {
      const count = op.documented[status];
      if (count === undefined) return el('td', { class: 'count na', title: `${op.operation} does not document ${status}` }, '–');
      return el('td', { class: `count ${countClass(count)}`, 'data-status': status, title: `${op.operation} → ${status}: ${count}` }, String(count));
    });
    const undocumented = Object.entries(op.undocumented).map(([status, count]) => `${status} ×${count}`).join(', ');
    return el('tr', { 'data-operation': op.operation }, el('th', { scope: 'row' }, op.operation), el('td', { class: 'num' }, String(op.requests)), ...cells, el('td', { class: undocumented ? 'rule' : '' }, undocumented));
  });
  grid.tBodies[0]!.replaceChildren(...rows);
}

const coverageChanged = debounce(() => {
  if (visible('coverage')) void drawCoverage();
}, 250);
viewOpened.coverage = () => void drawCoverage();
byId('coverage-reset').addEventListener('click', () => {
  void control('__control/coverage', { method: 'DELETE' }).then(drawCoverage);
});

// ---- worlds ----

interface Listing {
  name: string;
  description?: string;
}
interface ScenarioApp {
  attributes: { id: string; name?: string };
  media?: Record<string, { base64?: string; text?: string } | null>;
}

const worldSelect = byId<HTMLSelectElement>('w-namespace');
const scenarioSelect = byId<HTMLSelectElement>('w-scenario');
/** The scenario the user picked and has not switched to yet: redraws (the stream causes some) keep it. */
let scenarioPicked: string | undefined;
scenarioSelect.addEventListener('change', () => (scenarioPicked = scenarioSelect.value));
/** True while the stubs editor holds an edit not saved yet: redraws (the stream causes some) keep it. */
let stubsEdited = false;
byId('w-stubs').addEventListener('input', () => (stubsEdited = true));

function say(id: string, text: string, isError = false): void {
  const node = byId(id);
  node.textContent = text;
  node.className = isError ? 'error' : 'muted';
}

/** The media paths of an app as a nested list: folders first-level open via <details>. */
function mediaTree(media: ScenarioApp['media']): HTMLElement {
  interface Folder { folders: Map<string, Folder>; files: [string, number][] }
  const root: Folder = { folders: new Map(), files: [] };
  for (const [path, file] of Object.entries(media ?? {})) {
    const parts = path.split('/');
    const leaf = parts.pop()!;
    let folder = root;
    for (const part of parts) {
      if (!folder.folders.has(part)) folder.folders.set(part, { folders: new Map(), files: [] });
      folder = folder.folders.get(part)!;
    }
    if (file && leaf !== '') folder.files.push([leaf, file.base64 !== undefined ? Math.floor((file.base64.length * 3) / 4) - (file.base64.match(/=+$/)?.[0].length ?? 0) : new TextEncoder().encode(file.text ?? '').length]);
  }
  const list = (folder: Folder): HTMLElement =>
    el(
      'ul',
      {},
      ...[...folder.folders].map(([name, sub]) => el('li', {}, el('details', { open: '' }, el('summary', {}, `${name}/`), list(sub)))),
      ...folder.files.map(([name, size]) => el('li', {}, `${name} `, el('span', { class: 'muted' }, `${size} B`))),
    );
  return list(root);
}

async function drawWorld(): Promise<void> {
  const namespace = worldSelect.value;
  const scoped = { namespace };
  try {
    const [scenarios, state, faults] = await Promise.all([
      controlJson<{ current: { name: string; mode: string; seed?: number }; scenarios: Listing[] }>('__control/scenarios', scoped),
      controlJson<{ condition?: string; apps?: ScenarioApp[] }>('__control/state', scoped).catch(() => undefined),
      controlJson<{ rules: unknown[] }>('__control/faults', scoped),
    ]);
    const { current } = scenarios;
    byId('w-current').textContent = `${namespaceLabel(namespace)} runs ${current.name} (${current.mode}${current.seed !== undefined ? `, seed ${current.seed}` : ''})${state?.condition ? `; condition ${state.condition}` : ''}.`;
    const shownName = scenarioPicked !== undefined && scenarios.scenarios.some((s) => s.name === scenarioPicked) ? scenarioPicked : current.name;
    scenarioSelect.replaceChildren(...scenarios.scenarios.map((s) => el('option', { value: s.name, ...(s.name === shownName ? { selected: '' } : {}), title: s.description ?? '' }, s.name)));
    const apps = state?.apps ?? [];
    byId('w-apps').replaceChildren(
      apps.length === 0
        ? el('p', { class: 'muted' }, state ? 'No apps.' : 'A spec-examples world holds no apps.')
        : el('ul', {}, ...apps.map((app) => el('li', {}, el('details', {}, el('summary', {}, `${app.attributes.name ?? '(no name)'} `, el('code', {}, app.attributes.id)), mediaTree(app.media))))),
    );
    byId<HTMLTextAreaElement>('w-faults').value = JSON.stringify(faults.rules, null, 2);
  } catch (error) {
    say('w-message', (error as Error).message, true);
  }
  void drawStubs(namespace);
}

/** Stubs (GET /__control/stubs) where the double has them; the card stays hidden where it does not. */
async function drawStubs(namespace: string): Promise<void> {
  if (!controlOperations.has('GET /__control/stubs')) return;
  const res = await control('__control/stubs', { namespace }).catch(() => undefined);
  const card = byId('w-stubs-card');
  card.hidden = !res?.ok;
  if (!res?.ok) return;
  const { stubs } = (await res.json()) as { stubs: ActiveStub[] };
  // Edited and PUT back as the stubs' inputs: what the double counts of them is shown beside, not sent.
  if (!stubsEdited) byId<HTMLTextAreaElement>('w-stubs').value = JSON.stringify({ stubs: stubs.map(({ id: _id, operationId: _operation, applied: _applied, remaining: _remaining, ...input }) => input) }, null, 2);
  byId('w-stubs-counts').textContent = stubs.map((stub) => `stub ${stub.id}${stub.operationId ? ` (${stub.operationId})` : ''}: applied ${stub.applied}${stub.remaining !== undefined ? `, ${stub.remaining} left` : ''}`).join('; ');
}

async function drawWorlds(): Promise<void> {
  try {
    const { namespaces, limit } = await controlJson<{ limit: number; namespaces: { namespace: string; scenario: string }[] }>('__control/namespaces');
    const keep = worldSelect.value;
    worldSelect.replaceChildren(...namespaces.map((n) => el('option', { value: n.namespace }, `${namespaceLabel(n.namespace)} — ${n.scenario}`)));
    if (namespaces.some((n) => n.namespace === keep)) worldSelect.value = keep;
    byId('w-summary').textContent = `${namespaces.length} namespace${namespaces.length === 1 ? '' : 's'} (at most ${limit} besides the default one)`;
    drawConditions(namespaces);
  } catch (error) {
    byId('w-summary').textContent = (error as Error).message;
  }
  await drawWorld();
}

/** Runs a world-changing call and says how it went. */
async function act(messageId: string, call: () => Promise<unknown>, done: string): Promise<void> {
  try {
    await call();
    say(messageId, done);
  } catch (error) {
    say(messageId, (error as Error).message, true);
  }
  await drawWorlds();
}

const worldChanged = debounce(() => {
  if (visible('worlds')) void drawWorlds();
  if (visible('health')) void drawHealth();
}, 250);
viewOpened.worlds = () => void drawWorlds();
worldSelect.addEventListener('change', () => {
  scenarioPicked = undefined;
  stubsEdited = false;
  void drawWorld();
});
byId('w-switch').addEventListener('click', () => {
  const name = scenarioSelect.value;
  scenarioPicked = undefined;
  void act('w-message', () => controlJson('__control/scenario', { method: 'PUT', namespace: worldSelect.value, body: JSON.stringify({ name }) }), `Switched to ${name}.`);
});
byId('w-reset').addEventListener('click', () => {
  void act('w-message', () => controlJson('__control/reset', { method: 'POST', namespace: worldSelect.value }), 'Reset to the scenario as it started.');
});

/** The JSON of a text area, or an Error naming the area. */
function jsonOf(id: string): unknown {
  try {
    return JSON.parse(byId<HTMLTextAreaElement>(id).value);
  } catch (error) {
    throw new Error(`not JSON: ${(error as Error).message}`);
  }
}

byId('w-faults-save').addEventListener('click', () => {
  void act('w-faults-message', () => controlJson('__control/faults', { method: 'PUT', namespace: worldSelect.value, body: JSON.stringify({ rules: jsonOf('w-faults') }) }), 'Rules saved.');
});
byId('w-faults-clear').addEventListener('click', () => {
  void act('w-faults-message', () => controlJson('__control/faults', { method: 'DELETE', namespace: worldSelect.value }), 'Rules cleared.');
});
byId('w-stubs-save').addEventListener('click', () => {
  void act('w-stubs-message', async () => {
    await controlJson('__control/stubs', { method: 'PUT', namespace: worldSelect.value, body: JSON.stringify(jsonOf('w-stubs')) });
    stubsEdited = false;
  }, 'Stubs saved.');
});
byId('w-stubs-clear').addEventListener('click', () => {
  void act('w-stubs-message', async () => {
    await controlJson('__control/stubs', { method: 'DELETE', namespace: worldSelect.value });
    stubsEdited = false;
  }, 'Stubs deleted.');
});

// ---- health ----

interface Bucket {
  start: number;
  count: number;
  totalMs: number;
}
const buckets: Bucket[] = [];

function chartAdd(entry: Entry): void {
  if (isControl(entry)) return;
  const at = Date.parse(entry.time);
  const start = at - (at % CHART_BUCKET_MS);
  let bucket = buckets.find((b) => b.start === start);
  if (!bucket) {
    bucket = { start, count: 0, totalMs: 0 };
    buckets.push(bucket);
    buckets.sort((a, b) => a.start - b.start);
    while (buckets.length > CHART_BUCKETS * 2) buckets.shift();
  }
  bucket.count += 1;
  bucket.totalMs += entry.durationMs;
  if (visible('health')) drawChartSoon();
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag: string, attributes: Record<string, string | number>, text?: string): SVGElement {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function drawChart(): void {
  const width = 720;
  const height = 180;
  const pad = 30;
  const now = Date.now();
  const first = now - (now % CHART_BUCKET_MS) - (CHART_BUCKETS - 1) * CHART_BUCKET_MS;
  const series = Array.from({ length: CHART_BUCKETS }, (_, i) => buckets.find((b) => b.start === first + i * CHART_BUCKET_MS) ?? { start: first + i * CHART_BUCKET_MS, count: 0, totalMs: 0 });
  const maxCount = Math.max(1, ...series.map((b) => b.count));
  const mean = (b: Bucket) => (b.count ? b.totalMs / b.count : 0);
  const maxMs = Math.max(1, ...series.map(mean));
  const step = (width - 2 * pad) / CHART_BUCKETS;
  const total = series.reduce((sum, b) => sum + b.count, 0);
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': `${total} engine requests in the last 5 minutes; at most ${maxCount} in 10 s; mean answer time up to ${maxMs.toFixed(1)} ms` });
  chart.append(svg('line', { x1: pad, y1: height - pad, x2: width - pad, y2: height - pad }));
  series.forEach((b, i) => {
    const h = ((height - 2 * pad) * b.count) / maxCount;
    chart.append(svg('rect', { class: 'rate', x: pad + i * step + 1, y: height - pad - h, width: step - 2, height: h }));
  });
  const points = series.map((b, i) => `${pad + i * step + step / 2},${height - pad - ((height - 2 * pad) * mean(b)) / maxMs}`).join(' ');
  chart.append(svg('polyline', { class: 'latency', points }));
  chart.append(svg('text', { x: pad, y: 14 }, `requests / 10 s (max ${maxCount})`), svg('text', { x: width - pad, y: 14, 'text-anchor': 'end' }, `mean ms (max ${maxMs.toFixed(1)})`));
  chart.append(svg('text', { x: pad, y: height - 8 }, '−5 min'), svg('text', { x: width - pad, y: height - 8, 'text-anchor': 'end' }, 'now'));
  byId('h-chart').replaceChildren(chart);
}
const drawChartSoon = debounce(drawChart, 500);

function drawConditions(namespaces: { namespace: string; scenario: string }[]): void {
  const body = byId<HTMLTableElement>('h-conditions').tBodies[0]!;
  body.replaceChildren(...namespaces.map((n) => el('tr', { 'data-namespace': n.namespace }, el('td', {}, namespaceLabel(n.namespace)), el('td', {}, n.scenario), el('td', { class: 'condition' }, '…'))));
  for (const n of namespaces) {
    void controlJson<{ condition?: string }>('__control/state', { namespace: n.namespace })
      .then((state) => state.condition ?? 'healthy')
      .catch(() => 'spec examples')
      .then((condition) => {
        const cell = body.querySelector(`tr[data-namespace="${CSS.escape(n.namespace)}"] td.condition`);
        if (cell) cell.textContent = condition;
      });
  }
}

async function drawHealth(): Promise<void> {
  drawChart();
  try {
    drawConditions((await controlJson<{ namespaces: { namespace: string; scenario: string }[] }>('__control/namespaces')).namespaces);
  } catch (error) {
    byId('h-figures').textContent = (error as Error).message;
  }
}
viewOpened.health = () => void drawHealth();

byId('h-ask').addEventListener('click', async () => {
  const out = byId('h-figures');
  try {
    const res = await fetch('healthcheck', { cache: 'no-store' });
    const body = (await res.json()) as Record<string, unknown>;
    const figures: [string, unknown][] = [];
    const walk = (prefix: string, value: unknown) => {
      // Lists (the docs in memory, say) by their length.
      if (Array.isArray(value)) figures.push([`${prefix} (count)`, value.length]);
      else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(prefix ? `${prefix}.${k}` : k, v);
      else figures.push([prefix, value]);
    };
    walk('', body);
    out.replaceChildren(...figures.map(([name, value]) => el('div', { class: 'figure' }, el('span', { class: 'muted' }, name), el('b', {}, typeof value === 'number' ? String(Math.round(value * 100) / 100) : String(value)))));
  } catch (error) {
    out.textContent = `/healthcheck: ${(error as Error).message}`;
  }
});

void follow();
