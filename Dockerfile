# qlik-engine-double as a container: `docker build -t qlik-engine-double .`
#
# The base is built LOCALLY by scripts/docker/build-base.sh (Debian bookworm minbase via
# debootstrap + Node.js 20 + npm), because no image registry is reachable where this project is
# built. It is never pulled. Elsewhere you may swap it for an official image, e.g.
#   docker build --build-arg BASE_IMAGE=node:20-bookworm-slim -t qlik-engine-double .
# (the Dockerfile uses nothing but node, npm, groupadd and useradd from the base).
#
# No `# syntax=` line on purpose: it would make BuildKit pull a frontend image. The file works
# with both the classic builder and BuildKit.
ARG BASE_IMAGE=qlik-engine-double-base:bookworm-node20

# ---- deps: production dependencies only; rebuilt only when package*.json change -----------------
FROM ${BASE_IMAGE} AS deps
WORKDIR /src
COPY package.json package-lock.json ./
# The image has every optional part (Prism for spec-examples, selfsigned for --tls-self-signed):
# each optional peer dependency of the npm package, a devDependency here, becomes a dependency of
# this stage's install, at the version the lock holds (npm ci accepts the move).
# Type declarations, source maps and markdown are never read at run time: ~24 MB and ~3,700 files
# fewer (file count matters: vfs copies and diffs every file for every layer).
RUN node -e "const fs = require('fs'); const p = require('./package.json'); \
      for (const name of Object.keys(p.peerDependencies)) { p.dependencies[name] = p.devDependencies[name]; delete p.devDependencies[name]; } \
      fs.writeFileSync('package.json', JSON.stringify(p))" \
 && npm ci --omit=dev --no-audit --no-fund --loglevel=warn \
 && rm -rf /root/.npm \
 && find node_modules -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' -o -name '*.md' \) -delete

# ---- build: full install, compile TypeScript --------------------------------------------------------
FROM ${BASE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=warn && rm -rf /root/.npm
# One COPY for the rest of the context (.dockerignore lets in only the build inputs: tsconfig*.json,
# src, spec, scenarios): under the vfs storage driver each layer is a full copy, so few layers.
COPY . ./
# Compile, and gather the small per-change part of the runtime in /out.
RUN npm run build \
 && mkdir /out \
 && cp -a package.json dist spec scenarios /out/

# ---- runtime: production node_modules + compiled output only ------------------------------------
# Order: what never changes first, node_modules next, the small build output last. With the classic
# builder every instruction, metadata included, commits a container, which under the vfs storage
# driver is a full copy of the image so far (10-20 s each here): in this order a source change
# rebuilds one small layer, a dependency change two.
FROM ${BASE_IMAGE}
# An unprivileged user; the files stay root-owned (read-only to it): the double keeps all of its
# state in memory and writes nothing to disk.
RUN groupadd --system --gid 10001 engine \
 && useradd --system --uid 10001 --gid engine --home-dir /app --no-create-home --shell /usr/sbin/nologin engine
# Every CLI flag has an environment variable too (see README): SCENARIO, SCENARIOS_DIR, SEED,
# VALIDATION, BODY_LIMIT, JOURNAL_SIZE, MEDIA_FILE_LIMIT, MEDIA_FILES_PER_APP, MAX_NAMESPACES,
# BASE_PATH, TLS_CERT, TLS_KEY, TLS_SELF_SIGNED, METRICS_FORMAT, …
# 9076: the engine's API (and the control API); 9090: Prometheus metrics at /metrics, as the engine.
ENV PORT=9076 METRICS_PORT=9090 HOST=0.0.0.0 NODE_ENV=production
EXPOSE 9076 9090
WORKDIR /app
USER engine
# /health: 200 healthy, 429 busy (lame duck), 503 unhealthy. Probed with node itself (no curl in
# the image) by src/healthcheck.ts, which finds the double as serve does (PORT, BASE_PATH, TLS_*).
# The short interval suits test setups that wait for `service_healthy`; a long-running deployment
# may prefer --interval=30s.
HEALTHCHECK --interval=2s --timeout=2s --start-period=5s --retries=3 \
  CMD ["node", "dist/src/healthcheck.js"]
# node is PID 1: the CLI handles SIGTERM/SIGINT itself (stops accepting, lets in-flight requests
# finish for up to 800 ms, exits 0), so `docker stop` returns in well under a second.
CMD ["node", "dist/src/cli.js", "serve"]

COPY --from=deps /src/node_modules /app/node_modules
COPY --from=build /out /app
