/**
 * The Docker image's HEALTHCHECK: `GET /health` of the double in this container, found through the
 * environment variables `serve` reads (PORT, BASE_PATH, TLS_CERT, TLS_SELF_SIGNED), so a base path
 * or HTTPS leaves the container healthy. Exits 0 on a 2xx answer, 1 otherwise (429 busy, 503
 * unhealthy, no answer within 1.5 s). A liveness probe of its own server: the certificate is not
 * checked, and a double that requires client certificates (TLS_CLIENT_CERT=required) refuses it.
 */
import http from 'node:http';
import https from 'node:https';
import { normaliseBasePath } from './base-path';

const PROBE_TIMEOUT_MS = 1500;

const env = process.env;
// As `serve` reads them: a certificate file when given, a boolean flag when set at all.
const secure = Boolean(env.TLS_CERT) || env.TLS_SELF_SIGNED !== undefined;
const probe = (secure ? https : http).get(
  { host: '127.0.0.1', port: Number(env.PORT || 9076), path: `${normaliseBasePath(env.BASE_PATH)}/health`, rejectUnauthorized: false, timeout: PROBE_TIMEOUT_MS },
  (res) => {
    res.resume();
    const status = res.statusCode ?? 0;
    process.exit(status >= 200 && status < 300 ? 0 : 1);
  },
);
probe.on('timeout', () => probe.destroy(new Error('no answer')));
probe.on('error', () => process.exit(1));
