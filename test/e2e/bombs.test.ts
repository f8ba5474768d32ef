import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { builtAppAndBrowser } from './browser';
import { BOMBS, cine, mammogram } from '../fixtures/bombs.mjs';
import { fixturePath } from '../imaging/fixtures';

const app = builtAppAndBrowser();
const dir = mkdtempSync(join(tmpdir(), 'medlens-bombs-'));
const bombs = Object.entries(BOMBS).map(([name, make]) => {
  writeFileSync(join(dir, name), make());
  return join(dir, name);
});

it('refuses every bomb with a message, in bounded memory and without long tasks, then opens a good file', async () => {
  const page = await app.browser.newPage({ viewport: { width: 1280, height: 720 } });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(app.url);
  await page.evaluate(() => {
    (window as unknown as { longTasks: number[] }).longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) (window as unknown as { longTasks: number[] }).longTasks.push(e.duration);
    }).observe({ type: 'longtask' });
  });
  for (const [i, bomb] of bombs.entries()) {
    await page.getByTestId('file-input').setInputFiles([bomb]);
    await page.waitForFunction((n) => window.medlens.viewer.messages.length === n, i + 1, { timeout: 30_000 });
  }
  const messages = await page.evaluate(() => window.medlens.viewer.messages.map((m) => m.text));
  expect(messages).toHaveLength(bombs.length);
  for (const text of messages) expect(text).toMatch(/limit|declares|needs \d+ bytes|truncated/);
  const { metrics } = await cdp.send('Performance.getMetrics');
  const heap = metrics.find((m) => m.name === 'JSHeapTotalSize')!.value;
  expect(heap).toBeLessThan(1.5 * 2 ** 30);
  const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
  expect(longTasks.filter((ms) => ms > 200)).toEqual([]);
  // A good file after them opens and shows.
  await page.getByTestId('file-input').setInputFiles([fixturePath('generated/series/ct-a.dcm')]);
  await page.waitForFunction(() => document.querySelector('[data-testid=readout-size]')?.textContent === '96×64');
  await page.close();
});

/** Opens `bytes` as a file, waits for `readout` to show `text`, and prints how long that took. */
async function openAndTime(what: string, bytes: Buffer, readout: string, text: string, timeout: number) {
  const file = join(dir, `${what.replace(/\W+/g, '-')}.dcm`);
  writeFileSync(file, bytes);
  const page = await app.browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.goto(app.url);
  const start = Date.now();
  await page.getByTestId('file-input').setInputFiles([file]);
  await page.waitForFunction(
    ({ readout, text }) => document.querySelector(`[data-testid=${readout}]`)?.textContent === text,
    { readout, text },
    { timeout },
  );
  console.log(`${what}: first pixels after ${Date.now() - start} ms (Chromium, this machine)`);
  await page.close();
}

it('opens a 4300×3500 16-bit image, and prints how long its first pixels took', async () => {
  await openAndTime('large image', mammogram(), 'readout-size', '4300×3500', 60_000);
});

it('opens a 3000-frame 256×256 cine, and prints how long its first pixels took', async () => {
  await openAndTime('3000-frame cine', cine(3000), 'readout-frame', '1/3000', 120_000);
});

it('refuses the bombs through the embed protocol too, answering each', async () => {
  const { allowInWidget, serveHost } = await import('./host-server');
  const host = await serveHost();
  const restore = allowInWidget([host.origin]);
  const page = await app.browser.newPage();
  try {
    await page.goto(`${host.origin}/?widget=${encodeURIComponent(`${app.url}embed.html`)}`);
    for (const [name, make] of Object.entries(BOMBS)) {
      const outcome = await page.evaluate(
        async ({ base64, name }) => {
          const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
          return (await window.viewerPromise).open(bytes.buffer, name).then(
            () => 'opened',
            (e: Error & { code?: string }) => `${e.code}: ${e.message}`,
          );
        },
        { base64: make().toString('base64'), name },
      );
      expect(outcome, name).toMatch(/^failed: /);
    }
  } finally {
    await page.close();
    await host.close();
    restore();
  }
});
