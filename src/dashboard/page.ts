/**
 * GET /__ui: the dashboard, one HTML page with its script and styles inline (one request, nothing
 * fetched from elsewhere, a Content-Security-Policy that allows only them). The script is the
 * browser code of src/dashboard/browser, compiled by `npm run build`; it reads the control API
 * with relative URLs, so the page works wherever the double is mounted.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { EngineResponse } from '../routes/types';
import { PAGE_HTML, PAGE_STYLE } from './template';

export const DASHBOARD_OPERATION = 'GET /__ui';

/**
 * The Authorization a control call presents: its header, or for the page (a browser cannot add a
 * header to a page it opens) `?token=`.
 */
export function controlAuthorization(operationId: string, authorization: string | undefined, query: Record<string, string | string[]>): string | undefined {
  const token = query.token;
  if (authorization !== undefined || operationId !== DASHBOARD_OPERATION || typeof token !== 'string') return authorization;
  return `Bearer ${token}`;
}

const BROWSER_DIR = path.join(__dirname, 'browser');

/** The built script; under jest (src/) the browser TypeScript, its types stripped by TypeScript (a devDependency there). */
function pageScript(): string {
  const built = path.join(BROWSER_DIR, 'app.js');
  if (fs.existsSync(built)) return fs.readFileSync(built, 'utf8');
  const ts = require('typescript') as typeof import('typescript');
  const source = fs.readFileSync(path.join(BROWSER_DIR, 'app.ts'), 'utf8');
  return ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022, removeComments: true } }).outputText;
}

function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
}

function pageResponse(): EngineResponse {
  const script = pageScript();
  const style = PAGE_STYLE;
  const html = PAGE_HTML.replace('/*STYLE*/', () => style).replace('/*SCRIPT*/', () => script);
  const policy = [
    "default-src 'none'",
    `script-src ${cspHash(script)}`,
    `style-src ${cspHash(style)}`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    status: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': policy,
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
    },
    body: Buffer.from(html),
  };
}

let page: EngineResponse | undefined;

/** The page, made on the first request (so the double's start does not pay for it) and kept. */
export function dashboardPage(): EngineResponse {
  page ??= pageResponse();
  return page;
}
