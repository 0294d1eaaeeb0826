#!/usr/bin/env bash
# Builds the local base image the Dockerfile starts FROM: Debian bookworm (debootstrap minbase)
# plus this machine's own Node.js and npm, and the host's CA bundle and npm registry setting.
#
# Why: no image registry is reachable here, so `FROM node:20-bookworm-slim` cannot be pulled.
# The tag says "built locally" on purpose; nothing ever tries to pull it.
#
#   scripts/docker/build-base.sh            # reuse the tag if it exists, else build it
#   REBUILD_BASE=1 scripts/docker/build-base.sh   # re-import even if the tag exists (e.g. after the
#                                                 # host's Node changed); a new base id means the
#                                                 # next image build starts without cache
#
# Environment:
#   BASE_IMAGE       tag to build            (default qlik-engine-double-base:bookworm-node20)
#   BASE_CACHE_DIR   debootstrap rootfs cache, outside the repo (default /var/cache/qlik-engine-double/base)
#   DEBIAN_MIRROR    mirror for debootstrap  (default: the host's apt sources, else deb.debian.org)
#   DOCKER           docker CLI to use       (default: docker)
# Needs root, debootstrap and a running docker daemon.
set -euo pipefail

BASE_IMAGE="${BASE_IMAGE:-qlik-engine-double-base:bookworm-node20}"
BASE_CACHE_DIR="${BASE_CACHE_DIR:-/var/cache/qlik-engine-double/base}"
DOCKER="${DOCKER:-docker}"
SUITE=bookworm
CA_IN_IMAGE=/etc/ssl/certs/ca-certificates.crt

t0=$(date +%s%N)
log() { printf '[build-base %6.1fs] %s\n' "$(( ($(date +%s%N) - t0) / 1000000 ))e-3" "$*"; }
die() { echo "build-base: $*" >&2; exit 1; }

if [[ -z "${REBUILD_BASE:-}" ]] && "$DOCKER" image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  # No test run here: under the vfs storage driver every `docker run` copies the whole image.
  log "reusing existing $BASE_IMAGE (node $("$DOCKER" image inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$BASE_IMAGE" | sed -n 's/^NODE_VERSION=//p'); REBUILD_BASE=1 rebuilds)"
  exit 0
fi

[[ $(id -u) -eq 0 ]] || die "must run as root (debootstrap, docker import)"
command -v debootstrap >/dev/null || die "debootstrap is not installed (apt-get install -y debootstrap)"

# ---- the host's Node.js: this is what goes into the image -------------------------------------
NODE_BIN="$(readlink -f "$(command -v node)")" || die "node not found on the host"
NODE_VERSION="$("$NODE_BIN" --version)"
[[ "$NODE_VERSION" == v20.* ]] || die "host node is $NODE_VERSION, expected v20.x"
NPM_DIR="$(npm root -g)/npm"
[[ -f "$NPM_DIR/bin/npm-cli.js" ]] || die "npm not found at $NPM_DIR"
NPM_VERSION="$(node "$NPM_DIR/bin/npm-cli.js" --version)"
HOST_CA="${HOST_CA:-/etc/ssl/certs/ca-certificates.crt}"
[[ -s "$HOST_CA" ]] || die "host CA bundle $HOST_CA missing"
NPM_REGISTRY="$(npm config get registry 2>/dev/null || true)"
NPM_REGISTRY="${NPM_REGISTRY:-https://registry.npmjs.org/}"

# ---- mirror: first non-security Debian URI in the host's apt sources ---------------------------
pick_mirror() {
  local f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f "$f" ]] || continue
    # deb822: a "URIs:" line; skip security and non-Debian repos.
    while read -r uri; do
      [[ "$uri" == *security* ]] && continue
      [[ "$uri" == */debian || "$uri" == */debian/ ]] && { echo "$uri"; return; }
    done < <(awk 'tolower($1)=="uris:"{for(i=2;i<=NF;i++)print $i}' "$f")
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f "$f" ]] || continue
    while read -r uri; do
      [[ "$uri" == *security* ]] && continue
      [[ "$uri" == */debian || "$uri" == */debian/ ]] && { echo "$uri"; return; }
    done < <(awk '$1=="deb"{for(i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) {print $i; break}}' "$f")
  done
  echo http://deb.debian.org/debian
}
MIRROR="${DEBIAN_MIRROR:-$(pick_mirror)}"

# ---- rootfs: debootstrap once, cached outside the repo -----------------------------------------
ROOTFS="$BASE_CACHE_DIR/rootfs"
if [[ -f "$BASE_CACHE_DIR/.debootstrap-done" && -x "$ROOTFS/bin/sh" ]]; then
  log "reusing cached debootstrap rootfs at $ROOTFS"
else
  log "debootstrap --variant=minbase $SUITE from $MIRROR into $ROOTFS (takes a minute or two)"
  rm -rf "$ROOTFS" "$BASE_CACHE_DIR/.debootstrap-done"
  mkdir -p "$BASE_CACHE_DIR"
  if ! debootstrap --variant=minbase "$SUITE" "$ROOTFS" "$MIRROR" >"$BASE_CACHE_DIR/debootstrap.log" 2>&1; then
    tail -n 30 "$BASE_CACHE_DIR/debootstrap.log" >&2
    die "debootstrap failed (full log: $BASE_CACHE_DIR/debootstrap.log)"
  fi
  # Slim it: nothing at run time reads package caches, docs, man pages or locales.
  rm -rf "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/var/cache/apt/archives/*.deb \
         "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/log/* \
         "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/info/* \
         "$ROOTFS"/usr/share/locale/* "$ROOTFS"/usr/share/lintian
  # The apt sources debootstrap wrote name the mirror used; keep them so `apt-get update` works in derived images.
  touch "$BASE_CACHE_DIR/.debootstrap-done"
  log "debootstrap done ($(du -sh "$ROOTFS" | cut -f1))"
fi

# ---- Node.js, npm, CA bundle and npm config on top of the Debian rootfs ---------------------------
# The cached rootfs stays pristine Debian; Node etc. are (re)copied on every import so a newer
# host Node lands in the image without a new debootstrap.
log "adding node $NODE_VERSION ($NODE_BIN), npm $NPM_VERSION ($NPM_DIR), CA bundle, registry $NPM_REGISTRY"
rm -rf "$ROOTFS/usr/local/bin/node" "$ROOTFS/usr/local/bin/npm" "$ROOTFS/usr/local/bin/npx" \
       "$ROOTFS/usr/local/lib/node_modules" "$ROOTFS/usr/local/etc/npmrc"
mkdir -p "$ROOTFS/usr/local/bin" "$ROOTFS/usr/local/lib/node_modules" "$ROOTFS/usr/local/etc" "$ROOTFS/etc/ssl/certs"
install -m 0755 "$NODE_BIN" "$ROOTFS/usr/local/bin/node"
cp -a "$NPM_DIR" "$ROOTFS/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"
install -m 0644 "$HOST_CA" "$ROOTFS$CA_IN_IMAGE"
# Global npmrc (npm's global config for prefix /usr/local). Registry and CA only: no tokens.
cat >"$ROOTFS/usr/local/etc/npmrc" <<NPMRC
registry=$NPM_REGISTRY
cafile=$CA_IN_IMAGE
fund=false
audit=false
update-notifier=false
NPMRC

# ---- import -------------------------------------------------------------------------------------
log "docker import -> $BASE_IMAGE"
tar --numeric-owner -C "$ROOTFS" -c . | "$DOCKER" import \
  --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_EXTRA_CA_CERTS=$CA_IN_IMAGE" \
  --change "ENV NODE_VERSION=${NODE_VERSION#v}" \
  --change 'LABEL org.opencontainers.image.description="Debian bookworm minbase + host Node.js, built locally by scripts/docker/build-base.sh"' \
  --change 'CMD ["node"]' \
  --message "debootstrap $SUITE minbase + node $NODE_VERSION + npm $NPM_VERSION" \
  - "$BASE_IMAGE" >/dev/null

# ---- check it runs --------------------------------------------------------------------------------
# One run for both (under vfs each `docker run` copies the whole image): bookworm's glibc must
# suit the host's node binary, and npm must start.
read -r got got_npm < <("$DOCKER" run --rm --network host "$BASE_IMAGE" sh -c 'echo "$(node --version) $(npm --version)"') || true
[[ "${got:-}" == "$NODE_VERSION" ]] || die "node in image says '${got:-nothing}', expected $NODE_VERSION"
[[ "${got_npm:-}" == "$NPM_VERSION" ]] || die "npm in image says '${got_npm:-nothing}', expected $NPM_VERSION"
log "built $BASE_IMAGE: node $got, npm $got_npm, $("$DOCKER" image inspect -f '{{.Size}}' "$BASE_IMAGE" | awk '{printf "%.0f MB", $1/1e6}')"
