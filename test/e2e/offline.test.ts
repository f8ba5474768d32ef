import { expect, it } from 'vitest';
import type { Request } from 'playwright-core';
import { builtAppAndBrowser } from './browser';
import { fixturePath } from '../imaging/fixtures';

const app = builtAppAndBrowser();

it('starts, opens a DICOM and segments with the network cut, after one online visit', async () => {
  const context = await app.browser.newContext();
  const page = await context.newPage();
  await page.goto(app.url);
  await page.getByTestId('offline-ready').waitFor({ timeout: 120_000 });
  // First visit online: the model files go to Cache Storage when the model is loaded.
  await page.getByTestId('segment-model').selectOption('test-sam-tiny');
  await page.getByTestId('segment-backend-choice').selectOption('wasm');
  await page.getByTestId('segment-load').click();
  await page.getByTestId('segment-backend').waitFor({ timeout: 60_000 });

  await context.setOffline(true);
  const requests: Request[] = [];
  const failed: string[] = [];
  context.on('request', (r) => requests.push(r));
  context.on('requestfailed', (r) => failed.push(r.url()));
  await page.reload();
  await page.getByTestId('privacy-badge').waitFor();
  await page.getByTestId('file-input').setInputFiles([fixturePath('generated/nonsquare-512x256.dcm')]);
  await page.waitForFunction(() => document.querySelector('[data-testid=readout-size]')?.textContent === '512×256');
  await page.getByTestId('segment-model').selectOption('test-sam-tiny');
  await page.getByTestId('segment-backend-choice').selectOption('wasm');
  await page.getByTestId('segment-load').click();
  await page.getByTestId('segment-backend').waitFor({ timeout: 60_000 });
  await page.evaluate(() => window.medlens.segmentation.setBox({ x0: 100, y0: 40, x1: 330, y1: 200 }));
  const pixels = await page.evaluate(() => {
    const mask = window.medlens.overlay.list().find((o) => o.kind === 'mask');
    return mask && mask.kind === 'mask' ? mask.data.reduce((n, v) => n + v, 0) : 0;
  });
  expect(pixels).toBe(230 * 160);

  // Nothing reached the network: every request was answered by the service worker.
  expect(failed).toEqual([]);
  const fromNetwork = [];
  for (const request of requests) {
    if (/^(data|blob):/.test(request.url())) continue;
    const response = await request.response();
    if (!response?.fromServiceWorker()) fromNetwork.push(request.url());
  }
  expect(fromNetwork).toEqual([]);
  await context.close();
});

it("blocks a request to an outside host with the built site's CSP", async () => {
  const page = await app.browser.newPage();
  await page.goto(app.url);
  const violation = await page.evaluate(async () => {
    const seen = new Promise<{ directive: string; blocked: string }>((resolve) =>
      document.addEventListener(
        'securitypolicyviolation',
        (e) => resolve({ directive: e.effectiveDirective, blocked: e.blockedURI }),
        { once: true },
      ),
    );
    const outcome = await fetch('https://outside.invalid/exfiltrate').then(
      () => 'sent',
      () => 'refused',
    );
    return { outcome, ...(await seen) };
  });
  expect(violation).toEqual({
    outcome: 'refused',
    directive: 'connect-src',
    blocked: 'https://outside.invalid/exfiltrate',
  });
  const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(meta).toMatch(/connect-src 'self'/);
  await page.close();
});

it('cannot be framed by another site: frame-ancestors none on the app and hub pages; the widget by listed origins', async () => {
  const { allowInWidget, serveHost } = await import('./host-server');
  const host = await serveHost();
  const restore = allowInWidget([host.origin]);
  const page = await app.browser.newPage();
  const framed: Record<string, string> = {};
  for (const path of ['', 'hub.html?model=test-medgemma-tiny', 'embed.html']) {
    await page.goto(`${host.origin}/?widget=${encodeURIComponent(`${app.url}${path}`)}`);
    const frame = page.frames().find((f) => f !== page.mainFrame())!;
    await frame.waitForLoadState().catch(() => undefined);
    // A frame refused by frame-ancestors shows Chromium's error page instead of the document.
    framed[path || 'index'] = await frame.evaluate(() => document.title).catch(() => 'blocked');
  }
  expect(framed.index).not.toBe('medlens');
  expect(framed['hub.html?model=test-medgemma-tiny']).not.toMatch(/medlens/);
  expect(framed['embed.html']).toMatch(/medlens/);
  await page.close();
  await host.close();
  restore();
});
