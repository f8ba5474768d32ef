import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Request } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { CHROMIUM, launchChromium } from './chromium.mjs';
import { preview, type PreviewServer } from 'vite';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Serves the built app (dist/) with `vite preview` on localhost, a secure context. */
export async function serveBuiltApp(): Promise<{ url: string; server: PreviewServer }> {
  if (!existsSync(`${root}dist/index.html`)) throw new Error('dist/ is missing: run `npm run build` first');
  const server = await preview({
    root,
    logLevel: 'warn',
    preview: { host: 'localhost', port: 0, strictPort: false, open: false },
  });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report a URL');
  return { url, server };
}

/** Uncaught errors of every page this file's browsers opened; no-page-errors.ts fails the file on any. */
export const pageErrors: string[] = [];

export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (see .ci/run)`);
  const browser = await launchChromium();
  // browser.newPage() goes through newContext() too, so every page of the test is watched.
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    context.on('weberror', (error) => pageErrors.push(`${error.page()?.url() ?? 'a page'}: ${error.error().message}`));
    return context;
  };
  return browser;
}

/** Every request the context makes, from the page and its workers. */
export function recordRequests(context: BrowserContext): Request[] {
  const requests: Request[] = [];
  context.on('request', (request) => requests.push(request));
  return requests;
}

/** Requests that left the app's origin (data: and blob: URLs never leave the page). */
export function foreignRequests(requests: Request[], appUrl: string): string[] {
  const origin = new URL(appUrl).origin;
  return requests
    .map((r) => r.url())
    .filter((url) => !url.startsWith('data:') && !url.startsWith('blob:') && new URL(url).origin !== origin);
}

/**
 * What most browser test files need: the built app served and Chromium launched before the
 * file's tests (beforeAll), both closed after them. Read `url` and `browser` inside tests.
 */
export function builtAppAndBrowser(): { readonly url: string; readonly browser: Browser } {
  const env: { url: string; browser: Browser; server?: PreviewServer } = { url: '', browser: undefined! };
  beforeAll(async () => {
    const served = await serveBuiltApp();
    env.url = served.url;
    env.server = served.server;
    env.browser = await launch();
  });
  afterAll(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}
