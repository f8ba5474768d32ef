import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { builtAppAndBrowser } from './browser';
import { fixturePath } from '../imaging/fixtures';

const app = builtAppAndBrowser();
const MODELS = new URL('../../models/', import.meta.url);

/**
 * Plays the hub with Playwright's router (no network here): fixture `id` as if published at
 * huggingface.co/example/<id> at a pinned commit, sizes left for HEAD requests to tell; the
 * app's own copy made unreachable, so the viewer can only run what the hub page cached.
 * Returns the hub requests seen, as "METHOD url".
 */
async function publishOnHub(context: BrowserContext, id: string): Promise<{ hub: string[]; files: number }> {
  const manifest = JSON.parse(readFileSync(new URL('manifest.json', MODELS), 'utf8'));
  const fixture = manifest.models.find((m: { id: string }) => m.id === id);
  fixture.hub = `example/${id}`;
  const pinned = `https://huggingface.co/example/${id}/resolve/${'5e'.repeat(20)}/`;
  fixture.files = fixture.files.map((f: { name: string }) => ({ ...f, size: null, url: pinned + f.name }));
  await context.route(`${app.url}models/manifest.json`, (route) => route.fulfill({ json: manifest }));
  await context.route(`${app.url}models/${id}/**`, (route) => route.abort());
  const hub: string[] = [];
  await context.route('https://huggingface.co/**', (route) => {
    const request = route.request();
    hub.push(`${request.method()} ${request.url()}`);
    // Only the pinned revision is asked for.
    const path = request.url().replace(pinned, '');
    if (path === request.url()) return route.abort();
    const body = readFileSync(new URL(`${id}/${path}`, MODELS));
    const headers = {
      'access-control-allow-origin': '*',
      'content-length': String(body.length),
      'content-type': 'application/octet-stream',
    };
    return route.fulfill(request.method() === 'HEAD' ? { headers } : { headers, body });
  });
  return { hub, files: fixture.files.length };
}

/** The hub page, as a user uses it: nothing is asked of the hub until a button is pressed. */
async function downloadOnHubPage(page: Page, id: string, hub: string[], files: number) {
  await page.goto(`${app.url}hub.html?model=${id}`);
  await page.getByTestId('hub-model').waitFor();
  await new Promise((r) => setTimeout(r, 500));
  expect(hub).toEqual([]);
  expect(await page.getByTestId('hub-total').textContent()).toMatch(/^\s*Total: unknown/);
  await page.getByTestId('hub-check').click();
  await expect.poll(() => page.getByTestId('hub-total').textContent()).toMatch(/^\s*Total: \d+\.\d MB\s*$/);
  expect(hub.length).toBe(files);
  expect(hub.every((h) => h.startsWith('HEAD '))).toBe(true);
  await page.getByTestId('hub-download').click();
  await page.getByTestId('hub-done').waitFor({ timeout: 60_000 });
  expect(hub.filter((h) => h.startsWith('GET ')).length).toBe(files);
}

it('downloads a segmentation model on the hub page, and the viewer segments with it from the cache', async () => {
  const context = await app.browser.newContext({ serviceWorkers: 'block' });
  const { hub, files } = await publishOnHub(context, 'test-sam-tiny');
  const page = await context.newPage();
  await page.goto(app.url);
  await page.getByTestId('segment-model').selectOption('test-sam-tiny');
  expect(await page.getByTestId('segment-hub').getAttribute('href')).toBe('hub.html?model=test-sam-tiny');
  await downloadOnHubPage(page, 'test-sam-tiny', hub, files);
  await page.goto(app.url);
  await page.getByTestId('file-input').setInputFiles([fixturePath('raster/tbx11k-tb0005.png')]);
  await page.waitForFunction(() => window.medlens.viewer.slice);
  await page.getByTestId('segment-model').selectOption('test-sam-tiny');
  await page.getByTestId('segment-backend-choice').selectOption('wasm');
  await page.getByTestId('segment-load').click();
  await page.getByTestId('segment-backend').waitFor({ timeout: 60_000 });
  await page.evaluate(() => window.medlens.segmentation.setBox({ x0: 100, y0: 100, x1: 300, y1: 300 }));
  await expect.poll(() => page.evaluate(() => window.medlens.overlay.list().some((o) => o.kind === 'mask'))).toBe(true);
  await context.close();
});

it('downloads a model on the hub page only, and the viewer then runs it from the cache', async () => {
  const context = await app.browser.newContext({ serviceWorkers: 'block' });
  const { hub, files } = await publishOnHub(context, 'test-medgemma-tiny');
  const page = await context.newPage();
  // The Ask panel offers the hub page for an entry pinned to a commit, not for an unpinned one.
  await page.goto(app.url);
  await page.getByTestId('ask-model').selectOption('medgemma-4b-it');
  expect(await page.getByTestId('ask-hub').count()).toBe(0);
  await page.getByTestId('ask-model').selectOption('test-medgemma-tiny');
  expect(await page.getByTestId('ask-hub').getAttribute('href')).toBe('hub.html?model=test-medgemma-tiny');
  await downloadOnHubPage(page, 'test-medgemma-tiny', hub, files);

  const viewerRequests: string[] = [];
  page.on('request', (r) => viewerRequests.push(r.url()));
  await page.goto(app.url);
  await page.getByTestId('file-input').setInputFiles([fixturePath('raster/tbx11k-tb0005.png')]);
  await page.waitForFunction(() => window.medlens.viewer.slice);
  await page.getByTestId('ask-model').selectOption('test-medgemma-tiny');
  await page.getByTestId('ask-question').fill('Where is the tuberculosis?');
  await page.getByTestId('ask-submit').click();
  await expect.poll(() => page.getByTestId('ask-chat').textContent(), { timeout: 120_000 }).toMatch(/Final Answer:/);
  expect(viewerRequests.filter((u) => !u.startsWith(app.url) && !/^(data|blob):/.test(u))).toEqual([]);

  // And the viewer page itself cannot reach the hub: its CSP keeps connect-src to 'self'.
  const blocked = await page.evaluate(async () => {
    const seen = new Promise<string>((resolve) =>
      document.addEventListener('securitypolicyviolation', (e) => resolve(e.effectiveDirective), { once: true }),
    );
    await fetch('https://huggingface.co/example/test-medgemma-tiny/resolve/main/config.json').catch(() => {});
    return seen;
  });
  expect(blocked).toBe('connect-src');
  await context.close();
});
