/**
 * GET /__ui: the dashboard, one HTML page with its script and styles inline (one request, nothing
 * fetched from elsewhere, a Content-Security-Policy that allows only them). The script is the
 * browser code of src/dashboard/browser/app.ts, which `npm run build` turns into JavaScript among
 * the build artefacts; it reads the control API with relative URLs, so the page works wherever
 * the double is mounted.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PRECOMPILED_DIR } from '../precompiled';
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

/** Where `npm run build` writes the page's script. */
export const BUILT_SCRIPT = path.join(PRECOMPILED_DIR, 'dashboard.js');

/**
 * The browser code as JavaScript (a module: its type imports erased), types stripped by TypeScript,
 * a devDependency: the build runs this, and so does jest, which serves the page from src/.
 */
export function compileBrowserScript(source = path.join(__dirname, 'browser', 'app.ts')): string {
  const ts = require('typescript') as typeof import('typescript');
  const options = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, removeComments: true };
  return ts.transpileModule(fs.readFileSync(source, 'utf8'), { compilerOptions: options }).outputText;
}

function pageScript(): string {
  return fs.existsSync(BUILT_SCRIPT) ? fs.readFileSync(BUILT_SCRIPT, 'utf8') : compileBrowserScript();
}

function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
}

/** Escapes text for an HTML attribute value. */
function attribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

function pageResponse(controlOperations: readonly string[]): EngineResponse {
  const script = pageScript();
  const style = PAGE_STYLE;
  const html = PAGE_HTML.replace('/*STYLE*/', () => style)
    .replace('/*SCRIPT*/', () => script)
    .replace('/*OPERATIONS*/', () => attribute(controlOperations.join(',')));
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

const pages = new WeakMap<readonly string[], EngineResponse>();

/**
 * The page for a double with these control operations (it shows the views of those it has, e.g.
 * stubs), made on the first request so the double's start does not pay for it, and kept.
 */
export function dashboardPage(controlOperations: readonly string[]): EngineResponse {
  let page = pages.get(controlOperations);
  if (!page) pages.set(controlOperations, (page = pageResponse(controlOperations)));
  return page;
}
