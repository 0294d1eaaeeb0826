/**
 * The dashboard page's markup and styles (GET /__ui); its script is src/dashboard/browser/app.ts.
 * Kept as strings so they are compiled into dist with the rest and ship without a copy step.
 * Colours keep at least 4.5:1 contrast against their background (WCAG AA) in light and dark.
 */

export const PAGE_STYLE = `
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --panel: #f6f8fa;
  --accent: #0550ae; --on-accent: #ffffff; --bad: #a40e26; --bad-bg: #ffebe9; --warn-bg: #fff8c5; --ok: #116329; --focus: #0969da;
  --c0: #ffebe9; --c1: #dafbe1; --c2: #aceebb; --c3: #6fdd8b; --c4: #4ac26b; --na: #eaeef2;
  font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; }
@media (prefers-color-scheme: dark) { :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --panel: #151b23;
  --accent: #4493f8; --on-accent: #0d1117; --bad: #ff8182; --bad-bg: #3c1618; --warn-bg: #3b2e00; --ok: #3fb950; --focus: #4493f8;
  --c0: #3c1618; --c1: #0f3d1e; --c2: #135227; --c3: #18662f; --c4: #1f7a3a; --na: #21262d; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); }
header { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1rem; padding: .5rem 1rem; border-bottom: 1px solid var(--line); background: var(--panel); }
h1 { font-size: 1.05rem; margin: 0; }
h2 { font-size: 1rem; margin: .75rem 0 .4rem; }
h3 { font-size: .95rem; margin: .6rem 0 .3rem; }
[role=tablist] { display: flex; flex-wrap: wrap; gap: .25rem; }
[role=tab] { border: 1px solid var(--line); background: var(--bg); color: var(--fg); padding: .3rem .8rem; border-radius: 6px; cursor: pointer; font: inherit; }
[role=tab][aria-selected=true] { background: var(--accent); border-color: var(--accent); color: var(--on-accent); }
select { max-width: 100%; }
#f-operation { max-width: 24rem; }
button, select, input, textarea { font: inherit; color: var(--fg); background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: .25rem .55rem; }
button { cursor: pointer; }
button[aria-pressed=true] { background: var(--warn-bg); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 1px; }
main { padding: .5rem 1rem 2rem; }
.toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: .4rem .8rem; margin: .25rem 0 .6rem; }
.toolbar label { display: inline-flex; align-items: center; gap: .3rem; }
.status-line { color: var(--muted); }
.split { display: grid; grid-template-columns: minmax(0, 1fr); gap: 1rem; }
@media (min-width: 1100px) { .split.open { grid-template-columns: minmax(0, 3fr) minmax(340px, 2fr); } }
.table-wrap { overflow: auto; max-height: calc(100vh - 9rem); border: 1px solid var(--line); border-radius: 6px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid var(--line); white-space: nowrap; vertical-align: top; }
thead th { position: sticky; top: 0; background: var(--panel); z-index: 1; }
td.path { white-space: normal; word-break: break-all; min-width: 12rem; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
#traffic-table tbody tr { cursor: pointer; }
#traffic-table tbody tr:hover { background: var(--panel); }
#traffic-table tbody tr.violation { background: var(--bad-bg); }
#traffic-table tbody tr.selected { outline: 2px solid var(--accent); outline-offset: -2px; }
.rule { color: var(--bad); font-weight: 600; }
.s2 { color: var(--ok); } .s4, .s5 { color: var(--bad); font-weight: 600; }
.row-open { border: 0; background: none; color: var(--accent); padding: 0; text-decoration: underline; }
#detail { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .8rem; overflow: auto; max-height: calc(100vh - 9rem); }
#detail header { padding: 0; border: 0; background: none; justify-content: space-between; }
dl.headers { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .1rem .8rem; margin: .2rem 0; font-size: .85rem; }
dl.headers dt { color: var(--muted); } dl.headers dd { margin: 0; word-break: break-all; }
pre { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .5rem; overflow: auto; max-height: 24rem; font-size: .85rem; white-space: pre-wrap; word-break: break-word; }
ul.violations { padding-left: 1.1rem; } ul.violations li { margin: .3rem 0; }
code { font-size: .85rem; }
#coverage-grid td.count { text-align: center; min-width: 3rem; font-variant-numeric: tabular-nums; }
.b0 { background: var(--c0); } .b1 { background: var(--c1); } .b2 { background: var(--c2); } .b3 { background: var(--c3); } .b4 { background: var(--c4); }
td.na, .swatch.na { background: var(--na); color: var(--muted); }
.legend { display: flex; flex-wrap: wrap; gap: .3rem .8rem; align-items: center; color: var(--muted); }
.legend span.swatch { display: inline-block; width: 1rem; height: 1rem; border: 1px solid var(--line); vertical-align: middle; margin-right: .25rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 380px), 1fr)); gap: 1rem; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .8rem; }
textarea { width: 100%; min-height: 8rem; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .85rem; }
.tree ul { list-style: none; padding-left: 1rem; margin: .1rem 0; }
.tree > ul { padding-left: 0; }
.muted { color: var(--muted); }
.error { color: var(--bad); }
svg.chart { width: 100%; max-width: 720px; height: auto; border: 1px solid var(--line); border-radius: 6px; background: var(--panel); }
svg.chart .rate { fill: var(--accent); opacity: .55; }
svg.chart .latency { fill: none; stroke: var(--bad); stroke-width: 2; }
svg.chart text { fill: var(--muted); font-size: 11px; }
svg.chart line { stroke: var(--line); }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); gap: .5rem; }
.figure { border: 1px solid var(--line); border-radius: 6px; padding: .4rem .6rem; }
.figure b { display: block; font-size: 1.2rem; overflow-wrap: anywhere; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (max-width: 700px) { main { padding: .5rem; } .hide-narrow { display: none; } td.path { min-width: 8rem; } #f-operation { max-width: 60vw; } }
`;

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>qlik-engine-double dashboard</title>
<link rel="icon" href="data:,">
<meta name="control-operations" content="/*OPERATIONS*/">
<style>/*STYLE*/</style>
</head>
<body>
<header>
  <h1>qlik-engine-double</h1>
  <div role="tablist" aria-label="Views">
    <button role="tab" id="tab-traffic" aria-controls="traffic" aria-selected="true">Traffic</button>
    <button role="tab" id="tab-coverage" aria-controls="coverage" aria-selected="false" tabindex="-1">Coverage</button>
    <button role="tab" id="tab-worlds" aria-controls="worlds" aria-selected="false" tabindex="-1">Worlds</button>
    <button role="tab" id="tab-health" aria-controls="health" aria-selected="false" tabindex="-1">Health</button>
  </div>
  <span id="stream-state" class="status-line" role="status">connecting…</span>
</header>
<main>
<section id="traffic" role="tabpanel" aria-labelledby="tab-traffic">
  <div class="toolbar" role="group" aria-label="Filters">
    <label>Namespace <select id="f-namespace"><option value="*">all</option></select></label>
    <label>Operation <select id="f-operation"><option value="*">all</option></select></label>
    <label>Status <select id="f-status"><option value="*">all</option><option value="2">2xx</option><option value="3">3xx</option><option value="4">4xx</option><option value="5">5xx</option><option value="none">dropped</option></select></label>
    <label><input type="checkbox" id="f-violations"> Violations only</label>
    <label><input type="checkbox" id="f-control"> Control calls</label>
    <button type="button" id="pause" aria-pressed="false">Pause</button>
    <button type="button" id="clear">Clear</button>
    <span id="counts" class="status-line" aria-live="polite"></span>
  </div>
  <div class="split" id="split">
    <div class="table-wrap">
      <table id="traffic-table">
        <caption class="visually-hidden">Requests, newest first; open one for its headers, bodies and violations</caption>
        <thead><tr><th scope="col" class="num">#</th><th scope="col" class="hide-narrow">Time</th><th scope="col">Method</th><th scope="col">Path</th><th scope="col" class="num">Status</th><th scope="col">Violation</th><th scope="col" class="num hide-narrow">ms</th><th scope="col" class="hide-narrow">Operation</th><th scope="col" class="hide-narrow">QIX</th><th scope="col" class="hide-narrow">Namespace</th><th scope="col" class="hide-narrow">Fault</th></tr></thead>
        <tbody></tbody>
      </table>
    </div>
    <section id="detail" aria-labelledby="detail-title" hidden>
      <header><h2 id="detail-title" tabindex="-1">Request</h2><button type="button" id="detail-close">Close</button></header>
      <div id="detail-body"></div>
    </section>
  </div>
</section>
<section id="coverage" role="tabpanel" aria-labelledby="tab-coverage" hidden>
  <div class="toolbar"><p id="coverage-summary" class="status-line" aria-live="polite">…</p><button type="button" id="coverage-reset">Reset counts</button></div>
  <div class="legend" aria-hidden="true"><span><span class="swatch b0"></span>0</span><span><span class="swatch b1"></span>1</span><span><span class="swatch b2"></span>2–4</span><span><span class="swatch b3"></span>5–19</span><span><span class="swatch b4"></span>20+</span><span><span class="swatch na"></span>not documented</span></div>
  <div class="table-wrap"><table id="coverage-grid"><caption class="visually-hidden">Answers per operation and documented status</caption><thead></thead><tbody></tbody></table></div>
</section>
<section id="worlds" role="tabpanel" aria-labelledby="tab-worlds" hidden>
  <div class="toolbar"><label>Namespace <select id="w-namespace"></select></label><span id="w-summary" class="status-line" aria-live="polite"></span></div>
  <div class="cards">
    <div class="card"><h2>Scenario</h2><p id="w-current"></p>
      <div class="toolbar"><label>Switch to <select id="w-scenario"></select></label><button type="button" id="w-switch">Switch</button><button type="button" id="w-reset">Reset</button></div>
      <p id="w-message" role="status"></p></div>
    <div class="card"><h2>Apps and media</h2><div id="w-apps" class="tree"></div></div>
    <div class="card"><h2>Fault rules</h2><label for="w-faults">Rules (JSON array: method, path, count, latencyMs, status, drop)</label><textarea id="w-faults" spellcheck="false"></textarea>
      <div class="toolbar"><button type="button" id="w-faults-save">Save rules</button><button type="button" id="w-faults-clear">Clear rules</button></div><p id="w-faults-message" role="status"></p></div>
    <div class="card" id="w-stubs-card" hidden><h2>Stubs</h2><label for="w-stubs">Stubs (JSON, as GET /__control/stubs lists them)</label><textarea id="w-stubs" spellcheck="false"></textarea>
      <div class="toolbar"><button type="button" id="w-stubs-save">Save stubs</button><button type="button" id="w-stubs-clear">Delete stubs</button></div><p id="w-stubs-counts"></p><p id="w-stubs-message" role="status"></p></div>
  </div>
</section>
<section id="health" role="tabpanel" aria-labelledby="tab-health" hidden>
  <h2>Condition</h2>
  <div class="table-wrap"><table id="h-conditions"><caption class="visually-hidden">Each namespace's scenario and the condition /health answers from</caption><thead><tr><th scope="col">Namespace</th><th scope="col">Scenario</th><th scope="col">Condition</th></tr></thead><tbody></tbody></table></div>
  <h2>Requests over the last 5 minutes</h2>
  <p class="muted">Bars: engine requests per 10 s. Line: their mean answer time in each 10 s, in ms. Read from the journal stream since the page opened.</p>
  <div id="h-chart"></div>
  <h2>/healthcheck</h2>
  <div class="toolbar"><button type="button" id="h-ask">Ask /healthcheck</button><span class="muted">an engine call: it shows in the traffic and counts in coverage</span></div>
  <div id="h-figures" class="figures" aria-live="polite"></div>
</section>
</main>
<script type="module">/*SCRIPT*/</script>
</body>
</html>
`;
