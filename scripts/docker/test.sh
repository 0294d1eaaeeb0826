#!/usr/bin/env bash
# The container test: `npm run test:docker` (CI runs it after the unit tests).
#
#   1. docker.io + debootstrap installed if missing (apt-get, root only)
#   2. a docker daemon: the running one, else one started here
#        dockerd --bridge=none --iptables=false --storage-driver=vfs   (stopped again at the end)
#      where no daemon can run at all: prints "SKIPPED: <reason>" and exits 0
#   3. the local base image (scripts/docker/build-base.sh), then the image from ./Dockerfile
#   4. the container on a free loopback port (host networking), waited on until "healthy"
#   5. an HTTP smoke test of both ports, API and metrics (scripts/docker/smoke.mjs)
#   6. `docker stop`: the container must exit 0 within 1 second
# Every failure after step 2 exits non-zero. Every step is bounded in time and printed with its
# duration (worst case about 45 min in all; a warm run takes 1-3 min, a cold one about 8). The
# container is always removed; images are kept so reruns are fast (the stage tips are tagged
# IMAGE-deps and IMAGE-build for that), and on a daemon it started itself the test prunes dangling
# images, which under vfs would otherwise grow by GBs per run.
#
# Environment: IMAGE (default qlik-engine-double:test), BASE_IMAGE, DOCKER (CLI, default docker),
#              STOP_LIMIT_MS (default 1000), HEALTHY_TIMEOUT_S (default 90), KEEP_DOCKERD=1.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO="$PWD"

IMAGE="${IMAGE:-qlik-engine-double:test}"
export BASE_IMAGE="${BASE_IMAGE:-qlik-engine-double-base:bookworm-node20}"
export DOCKER="${DOCKER:-docker}"
STOP_LIMIT_MS="${STOP_LIMIT_MS:-1000}"
HEALTHY_TIMEOUT_S="${HEALTHY_TIMEOUT_S:-90}"
# The classic builder: needs no BuildKit frontend image (nothing can be pulled here) and no buildx.
export DOCKER_BUILDKIT=0

T0=$(date +%s%N)
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
elapsed() { awk -v ns="$(( $(date +%s%N) - T0 ))" 'BEGIN{printf "%6.1fs", ns/1e9}'; }
log() { echo "[docker-test $(elapsed)] $*"; }
CHECKS_PASSED=0
pass() { CHECKS_PASSED=$((CHECKS_PASSED + 1)); log "PASS $*"; }
die() {
  log "FAIL $*"
  echo "docker: $CHECKS_PASSED passed, 1 failed"
  exit 1
}
skip() { echo "SKIPPED: $*"; exit 0; }

# step NAME TIMEOUT_S CMD... : runs CMD bounded by TIMEOUT_S, prints its duration.
step() {
  local name="$1" limit="$2"; shift 2
  local start rc=0
  start=$(now_ms)
  log "---- $name (limit ${limit}s)"
  timeout --kill-after=10 "$limit" "$@" || rc=$?
  local took=$(( $(now_ms) - start ))
  if (( rc == 124 || rc == 137 )); then die "$name: timed out after ${limit}s"; fi
  (( rc == 0 )) || die "$name: exit code $rc after ${took} ms"
  log "---- $name done in ${took} ms"
  STEP_MS=$took
}

WORK="$(mktemp -d /tmp/qlik-engine-double-docker.XXXXXX)"
DOCKERD_PID=""
CONTAINER=""

cleanup() {
  local rc=$?
  set +e
  if [[ -n "$CONTAINER" ]]; then
    if (( rc != 0 )); then
      log "container logs (last 40 lines):"
      timeout 20 "$DOCKER" logs --tail 40 "$CONTAINER" 2>&1 | sed 's/^/    | /'
    fi
    timeout 30 "$DOCKER" rm -f "$CONTAINER" >/dev/null 2>&1 && log "removed container $CONTAINER"
  fi
  if [[ -n "$DOCKERD_PID" ]]; then
    if [[ -n "${KEEP_DOCKERD:-}" ]]; then
      log "leaving dockerd (pid $DOCKERD_PID) running: KEEP_DOCKERD is set"
    else
      kill -TERM "$DOCKERD_PID" 2>/dev/null
      for _ in $(seq 1 60); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.25; done
      if kill -0 "$DOCKERD_PID" 2>/dev/null; then
        log "dockerd did not stop in 15 s; killing it"
        kill -KILL "$DOCKERD_PID" 2>/dev/null
      fi
      log "stopped the dockerd this test started (pid $DOCKERD_PID)"
    fi
  fi
  if (( rc != 0 )) && [[ -s "$WORK/dockerd.log" ]]; then
    log "dockerd log kept at $WORK/dockerd.log"
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- 1. tools -------------------------------------------------------------------------------------
log "==== 1. tools"
missing=()
if ! command -v "$DOCKER" >/dev/null || ! command -v dockerd >/dev/null; then
  # A CLI talking to a daemon that already runs is enough (e.g. a developer's own docker).
  if ! command -v "$DOCKER" >/dev/null || ! timeout 10 "$DOCKER" info >/dev/null 2>&1; then missing+=(docker.io); fi
fi
command -v debootstrap >/dev/null || missing+=(debootstrap)   # only needed while the base image is missing
if (( ${#missing[@]} )); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    log "installing ${missing[*]} with apt-get"
    start=$(now_ms)
    if { timeout 120 apt-get update -qq && DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -qq "${missing[@]}"; } >"$WORK/apt.log" 2>&1; then
      log "installed in $(( $(now_ms) - start )) ms"
    else
      tail -n 20 "$WORK/apt.log" | sed 's/^/    | /'
      [[ " ${missing[*]} " == *" docker.io "* ]] && skip "no docker daemon, and apt-get could not install docker.io (log above)"
      log "apt-get could not install ${missing[*]}; going on (build-base.sh needs debootstrap only if the base image is missing)"
    fi
  elif [[ " ${missing[*]} " == *" docker.io "* ]]; then
    skip "no docker daemon, and docker.io cannot be installed here (needs root and apt-get)"
  else
    log "debootstrap is missing and cannot be installed (not root); fine if the base image exists"
  fi
fi
log "docker CLI: $(command -v "$DOCKER") ($("$DOCKER" --version 2>/dev/null))"

# ---- 2. daemon ------------------------------------------------------------------------------------
log "==== 2. docker daemon"
if timeout 10 "$DOCKER" info >/dev/null 2>&1; then
  log "using the docker daemon that is already running"
else
  command -v dockerd >/dev/null || skip "no docker daemon answers and dockerd is not installed"
  [[ $(id -u) -eq 0 ]] || skip "no docker daemon answers and starting dockerd needs root"
  log "starting dockerd --bridge=none --iptables=false --storage-driver=vfs (log: $WORK/dockerd.log)"
  start=$(now_ms)
  dockerd --bridge=none --iptables=false --storage-driver=vfs >"$WORK/dockerd.log" 2>&1 &
  DOCKERD_PID=$!
  for _ in $(seq 1 60); do
    timeout 5 "$DOCKER" info >/dev/null 2>&1 && break
    if ! kill -0 "$DOCKERD_PID" 2>/dev/null; then
      DOCKERD_PID=""
      tail -n 15 "$WORK/dockerd.log" | sed 's/^/    | /'
      skip "dockerd exited at start (log above)"
    fi
    sleep 0.5
  done
  if ! timeout 5 "$DOCKER" info >/dev/null 2>&1; then
    tail -n 15 "$WORK/dockerd.log" | sed 's/^/    | /'
    skip "dockerd did not answer within 30 s (log above)"
  fi
  log "dockerd (pid $DOCKERD_PID) answers after $(( $(now_ms) - start )) ms"
fi
log "daemon: $("$DOCKER" version -f '{{.Server.Version}} (API {{.Server.APIVersion}})' 2>/dev/null)"
# From here on every failure is a real failure.

# ---- 3. images ------------------------------------------------------------------------------------
log "==== 3. images"
step "base image ($BASE_IMAGE)" 600 bash scripts/docker/build-base.sh
BASE_MS=$STEP_MS
build_image() {
  set -euo pipefail
  # Output lines are stamped with the wall clock, so slow steps show.
  if ! "$DOCKER" build --network host --build-arg BASE_IMAGE="$BASE_IMAGE" -t "$IMAGE" "$REPO" 2>&1 \
       | while IFS= read -r line; do printf '%(%H:%M:%S)T %s\n' -1 "$line"; done >"$WORK/build.log"; then
    tail -n 60 "$WORK/build.log" | sed 's/^/    | /'
    return 1
  fi
  # The steps that ran (not cached), with the time each started.
  grep -E -A1 ' Step [0-9]+/[0-9]+ :' "$WORK/build.log" | grep -v -- '^--$' \
    | awk '/ Step [0-9]+\/[0-9]+ :/{step=$0; next} !/Using cache/ && step !~ / : (FROM|ARG) /{print step}' \
    | cut -c1-150 | sed 's/^/    | /'
  grep -E ' Successfully (built|tagged)' "$WORK/build.log" | sed 's/^/    | /'
  # Tag the tip of each named stage (IMAGE-deps, IMAGE-build): a tagged image is not "dangling", so
  # the housekeeping prune keeps those layers, the cache of the next run.
  awk '
    / Step [0-9]+\/[0-9]+ : FROM / { if (stage != "" && id != "") print stage, id
                                      stage = (toupper($(NF-1)) == "AS") ? $NF : ""; id = ""; next }
    $(NF-1) == "--->" && $NF ~ /^[0-9a-f]+$/ && length($NF) == 12 { id = $NF }
    END { if (stage != "" && id != "") print stage, id }
  ' "$WORK/build.log" | while read -r stage id; do
    "$DOCKER" tag "$id" "$IMAGE-$stage"
    echo "    | stage $stage: $id tagged $IMAGE-$stage"
  done
}
export IMAGE REPO WORK
export -f build_image
step "docker build -t $IMAGE" 1200 bash -c build_image
BUILD_MS=$STEP_MS
if [[ -n "$DOCKERD_PID" ]]; then
  # Under vfs every layer is a full copy (GBs per build): drop what earlier runs left untagged. Only
  # on the daemon this test started; a daemon of yours is left as it is.
  start=$(now_ms)
  reclaimed="$(timeout 300 "$DOCKER" image prune -f 2>/dev/null | tail -n 1)" || true
  log "housekeeping: docker image prune (dangling only): ${reclaimed:-nothing} in $(( $(now_ms) - start )) ms"
fi
SIZE="$("$DOCKER" images --format '{{.Repository}}:{{.Tag}} {{.Size}}' "$IMAGE")"
log "image: $SIZE"
"$DOCKER" image inspect -f '{{json .Config.Healthcheck}}' "$IMAGE" | grep -q 'dist/src/healthcheck.js' || die "image has no /health HEALTHCHECK"
[[ "$("$DOCKER" image inspect -f '{{.Config.User}}' "$IMAGE")" != "" ]] || die "image runs as root (no USER)"
EXPOSED="$("$DOCKER" image inspect -f '{{json .Config.ExposedPorts}}' "$IMAGE")"
[[ "$EXPOSED" == *'"9076/tcp"'* && "$EXPOSED" == *'"9090/tcp"'* ]] || die "image exposes $EXPOSED, not 9076 and 9090"
grep -q '"9076:9076"' docker-compose.example.yml && grep -q '"9090:9090"' docker-compose.example.yml || die "docker-compose.example.yml does not publish 9076 and 9090"
pass "image built, has a HEALTHCHECK, a non-root USER, exposes 9076 and 9090 (as the compose example)"

# ---- 4. run ---------------------------------------------------------------------------------------
log "==== 4. run"
free_port() { node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
PORT="$(free_port)"
METRICS_PORT="$(free_port)"
CONTAINER="qlik-engine-double-test-$$-$(date +%s)"
# Host networking (no bridge here); HOST=127.0.0.1 keeps the double on loopback only.
"$DOCKER" run -d --network host -e PORT="$PORT" -e METRICS_PORT="$METRICS_PORT" -e HOST=127.0.0.1 --name "$CONTAINER" "$IMAGE" >/dev/null \
  || die "docker run failed"
log "container $CONTAINER started on 127.0.0.1:$PORT (metrics on $METRICS_PORT)"
start=$(now_ms)
status=""
while :; do
  state="$("$DOCKER" inspect -f '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}' "$CONTAINER" 2>/dev/null || echo gone)"
  status="${state#* }"
  [[ "$status" == healthy ]] && break
  [[ "${state%% *}" == running ]] || die "container is '${state}' before it became healthy"
  (( $(now_ms) - start < HEALTHY_TIMEOUT_S * 1000 )) || die "not healthy after ${HEALTHY_TIMEOUT_S}s (health: $status; last probe: $("$DOCKER" inspect -f '{{with .State.Health}}{{range .Log}}{{.ExitCode}}:{{.Output}} {{end}}{{end}}' "$CONTAINER"))"
  sleep 0.25
done
HEALTHY_MS=$(( $(now_ms) - start ))
pass "container healthy after ${HEALTHY_MS} ms (docker HEALTHCHECK)"
"$DOCKER" logs "$CONTAINER" 2>&1 | head -n 5 | sed 's/^/    | /'

# ---- 5. smoke -------------------------------------------------------------------------------------
log "==== 5. smoke test"
step "smoke test against http://127.0.0.1:$PORT and :$METRICS_PORT/metrics" 60 node scripts/docker/smoke.mjs "http://127.0.0.1:$PORT" "http://127.0.0.1:$METRICS_PORT/metrics"
pass "smoke test"

# ---- 6. stop --------------------------------------------------------------------------------------
log "==== 6. docker stop"
start_ns=$(date +%s%N)
timeout 30 "$DOCKER" stop -t 10 "$CONTAINER" >/dev/null || die "docker stop failed"
STOP_MS=$(( ($(date +%s%N) - start_ns) / 1000000 ))
state="$("$DOCKER" inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.State.FinishedAt}}' "$CONTAINER")" || die "docker inspect failed after stop"
read -r status exit_code finished <<<"$state"
[[ "$status" == exited ]] || die "container is '$status' after docker stop"
log "docker stop took ${STOP_MS} ms; exit code $exit_code; finished at $finished"
[[ "$exit_code" == 0 ]] || die "container exited with code $exit_code on SIGTERM, expected 0"
pass "exit code 0 on SIGTERM"
(( STOP_MS <= STOP_LIMIT_MS )) || die "docker stop took ${STOP_MS} ms, limit ${STOP_LIMIT_MS} ms"
pass "docker stop within ${STOP_LIMIT_MS} ms (${STOP_MS} ms)"

log "==== summary: base image ${BASE_MS} ms, image build ${BUILD_MS} ms, healthy after ${HEALTHY_MS} ms, docker stop ${STOP_MS} ms, image $SIZE"
echo "docker: $CHECKS_PASSED passed, 0 failed"
