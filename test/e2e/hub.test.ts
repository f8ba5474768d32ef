import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { builtAppAndBrowser } from './browser';
import { fixturePath } from '../imaging/fixtures';

const app = builtAppAndBrowser();
const MODELS = new URL('../../models/', import.meta.url);

it('downloads a model on the hub page only, and the viewer then runs it from the cache', async () => {
  // The hub is played by Playwright's router (no network here): the fixture as if it were
  // published at huggingface.co/example/test-medgemma-tiny, sizes left for HEAD requests to tell.
  const context = await app.browser.newContext({ serviceWorkers: 'block' });
  const manifest = JSON.parse(readFileSync(new URL('manifest.json', MODELS), 'utf8'));
  const fixture = manifest.models.find((m: { id: string }) => m.id === 'test-medgemma-tiny');
  fixture.hub = 'example/test-medgemma-tiny';
  const pinned = `https://huggingface.co/example/test-medgemma-tiny/resolve/${'5e'.repeat(20)}/`;
  fixture.files = fixture.files.map((f: { name: string }) => ({ ...f, size: null, url: pinned + f.name }));
  await context.route(`${app.url}models/manifest.json`, (route) => route.fulfill({ json: manifest }));
  // The app's own copy is made unreachable: the model must come from what the hub page cached.
  await context.route(`${app.url}models/test-medgemma-tiny/**`, (route) => route.abort());
  const hub: string[] = [];
  await context.route('https://huggingface.co/**', (route) => {
    const request = route.request();
    hub.push(`${request.method()} ${request.url()}`);
    // Only the pinned revision is asked for.
    const path = request.url().replace(pinned, '');
    if (path === request.url()) return route.abort();
    const body = readFileSync(new URL(`test-medgemma-tiny/${path}`, MODELS));
    const headers = {
      'access-control-allow-origin': '*',
      'content-length': String(body.length),
      'content-type': 'application/octet-stream',
    };
    return route.fulfill(request.method() === 'HEAD' ? { headers } : { headers, body });
  });

  const page = await context.newPage();
  await page.goto(`${app.url}hub.html?model=test-medgemma-tiny`);
  await page.getByTestId('hub-model').waitFor();
  // Nothing reaches the hub until a button is pressed; the sizes are unknown until then.
  await new Promise((r) => setTimeout(r, 500));
  expect(hub).toEqual([]);
  expect(await page.getByTestId('hub-total').textContent()).toMatch(/^\s*Total: unknown/);
  await page.getByTestId('hub-check').click();
  await expect.poll(() => page.getByTestId('hub-total').textContent()).toMatch(/^\s*Total: 0\.1 MB\s*$/);
  expect(hub.length).toBe(fixture.files.length);
  expect(hub.every((h) => h.startsWith('HEAD '))).toBe(true);
  await page.getByTestId('hub-download').click();
  await page.getByTestId('hub-done').waitFor({ timeout: 60_000 });
  expect(hub.filter((h) => h.startsWith('GET ')).length).toBe(fixture.files.length);

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
