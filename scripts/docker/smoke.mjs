// HTTP smoke test of a running qlik-engine-double (the container test runs it against the image).
//   node scripts/docker/smoke.mjs http://127.0.0.1:9076 http://127.0.0.1:9090/metrics
// Plain fetch, no dependencies. Exits 0 when every check passes, 1 on the first failure.
// It changes the double's state (creates an app, ends in scenario "busy"): point it at a fresh one.

const base = (process.argv[2] ?? process.env.ENGINE_URL ?? 'http://127.0.0.1:9076').replace(/\/$/, '');
const metricsUrl = process.argv[3] ?? process.env.ENGINE_METRICS_URL ?? 'http://127.0.0.1:9090/metrics';
const REQUEST_TIMEOUT_MS = 10_000;
const t0 = performance.now();
let passed = 0;

function fail(message) {
  console.error(`smoke: FAIL ${message}`);
  console.error(`smoke: ${passed} passed, 1 failed`);
  process.exit(1);
}

async function call(method, path, { json, bytes, contentType, accept } = {}) {
  const headers = accept ? { accept } : {};
  let body;
  if (json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (bytes !== undefined) {
    headers['content-type'] = contentType ?? 'application/octet-stream';
    body = bytes;
  }
  let response;
  try {
    response = await fetch(path.startsWith('http') ? path : base + path, { method, headers, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (error) {
    fail(`${method} ${path}: no response (${error?.cause?.code ?? error?.message ?? error})`);
  }
  const raw = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, raw, text: () => raw.toString('utf8') };
}

function check(name, condition, detail) {
  const ms = (performance.now() - t0).toFixed(0);
  if (!condition) fail(`${name} (${detail})`);
  passed += 1;
  console.log(`smoke: ok   ${name}  [+${ms} ms]`);
}

function parseJson(response, what) {
  try {
    return JSON.parse(response.text());
  } catch {
    fail(`${what}: body is not JSON: ${response.text().slice(0, 300)}`);
  }
}

const snippet = (r) => `status ${r.status}, body ${r.text().slice(0, 300)}`;

// 1. health
{
  const r = await call('GET', '/health');
  check('GET /health -> 200', r.status === 200, snippet(r));
}

// 2. create an app
let appId;
{
  const r = await call('POST', '/v1/apps', { json: { attributes: { name: 'docker smoke' } } });
  check('POST /v1/apps -> 200', r.status === 200, snippet(r));
  const body = parseJson(r, 'POST /v1/apps');
  appId = body?.attributes?.id ?? body?.id;
  check('POST /v1/apps returns an id', typeof appId === 'string' && appId.length > 0, `body ${r.text().slice(0, 300)}`);
  check('POST /v1/apps keeps the name', (body?.attributes?.name ?? body?.name) === 'docker smoke', `body ${r.text().slice(0, 300)}`);
}

// 3. media round trip, binary-safe: every byte value, twice, plus some text
const bytes = Buffer.concat([Buffer.from('hello from the docker smoke test\n'), Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256))]);
const mediaPath = `/v1/apps/${encodeURIComponent(appId)}/media/files/hello.txt`;
{
  const r = await call('PUT', mediaPath, { bytes, contentType: 'application/octet-stream' });
  check('PUT media/files/hello.txt -> 200', r.status === 200, snippet(r));
}
{
  const r = await call('GET', mediaPath);
  check('GET media/files/hello.txt -> 200', r.status === 200, snippet(r));
  check(
    `GET media/files/hello.txt is byte-identical (${bytes.length} bytes)`,
    Buffer.compare(r.raw, bytes) === 0,
    `got ${r.raw.length} bytes, first difference at ${[...bytes].findIndex((b, i) => r.raw[i] !== b)}`,
  );
}

// 4. control API: scenario "busy" makes /health answer 429 (lame duck)
{
  const r = await call('PUT', '/__control/scenario', { json: { name: 'busy' } });
  check('PUT /__control/scenario {"name":"busy"} -> 200', r.status === 200, snippet(r));
}
{
  const r = await call('GET', '/health');
  check('GET /health in scenario busy -> 429', r.status === 429, snippet(r));
}

// 5. metrics port: Prometheus text and the JSON form, agreeing with /healthcheck (busy: 3 active sessions)
{
  const health = parseJson(await call('GET', '/healthcheck'), 'GET /healthcheck');
  const r = await call('GET', metricsUrl);
  check('GET :metrics/metrics -> 200 Prometheus text', r.status === 200 && r.text().startsWith('#'), snippet(r));
  const line = /^qix_active_sessions ([0-9]+)$/m.exec(r.text());
  check('qix_active_sessions agrees with /healthcheck', line !== null && Number(line[1]) === health?.session?.active, `metrics ${line?.[0]}, healthcheck session ${JSON.stringify(health?.session)}`);
  const j = await call('GET', metricsUrl, { accept: 'application/json' });
  const families = parseJson(j, 'GET /metrics (Accept: application/json)');
  const sessions = Array.isArray(families) ? families.find((family) => family.name === 'qix_active_sessions') : undefined;
  check('JSON form: qix_active_sessions metric[0].gauge.value', sessions?.metric?.[0]?.gauge?.value === health?.session?.active, `family ${JSON.stringify(sessions)}`);
  const onApi = await call('GET', '/metrics');
  check('no /metrics on the API port', onApi.status === 404, snippet(onApi));
}

console.log(`smoke: ${passed} passed, 0 failed`);
