#!/usr/bin/env bash
# What a consumer who never uses spec-examples installs: packs this package (dist/ must be built:
# `npm run build`), installs the tarball alone into a throw-away project (from the npm cache where
# it can), and prints node_modules' size on disk and its package count. docs/benchmark.md quotes it.
# --with-optional also installs every optional peer dependency (Prism for spec-examples, selfsigned
# for --tls-self-signed), at the versions this repository tests with.
set -euo pipefail
cd "$(dirname "$0")/.."
extra=()
if [ "${1:-}" = --with-optional ]; then
  read -r -a extra <<< "$(node -p "const p = require('./package.json'); Object.keys(p.peerDependencies).map((n) => n + '@' + p.devDependencies[n]).join(' ')")"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tarball=$(npm pack --ignore-scripts --pack-destination "$work" 2>/dev/null | tail -n 1)
cd "$work"
echo '{"name":"consumer","version":"1.0.0","private":true}' > package.json
npm install --prefer-offline --no-audit --no-fund "./$tarball" "${extra[@]}" >/dev/null 2>&1
packages=$(npm ls --all --parseable 2>/dev/null | sort -u | grep -vx "$work" | wc -l)
echo "tarball: $(du -k "$tarball" | cut -f1) KiB; node_modules: $(du -sm node_modules | cut -f1) MB on disk ($(du -sm --apparent-size node_modules | cut -f1) MB apparent), $packages packages"
# The largest packages (scoped ones by package, not by scope).
du -sk node_modules/[!@.]* node_modules/@*/* 2>/dev/null | sort -rn | head -n 8 | awk '{ printf "  %5.1f MB  %s\n", $1 / 1024, $2 }'
