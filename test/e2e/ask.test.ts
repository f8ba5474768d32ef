import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page, Request } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { foreignRequests, launch, recordRequests, serveBuiltApp } from './browser';
import { fixturePath } from '../imaging/fixtures';

let server: PreviewServer;
let url: string;
let browser: Browser;
let page: Page;
let requests: Request[];

const SLOW = { timeout: 120_000, interval: 50 };
// TBX11K tb0005's active-TB box (COCO x, y, w, h), the fixture's fixed answer in MedGemma's syntax.
const coco = JSON.parse(readFileSync(fixturePath('cxr/tbx11k-boxes.coco.json'), 'utf8'));
const [gx, gy, gw, gh] = coco.annotations.find((a: { image_id: number }) => a.image_id === 1).bbox as number[];
const TRUTH = { x0: gx!, y0: gy!, x1: gx! + gw!, y1: gy! + gh! };

function iou(a: typeof TRUTH, b: typeof TRUTH): number {
  const ix = Math.max(0, Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0));
  const iy = Math.max(0, Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0));
  const inter = ix * iy;
  return inter / ((a.x1 - a.x0) * (a.y1 - a.y0) + (b.x1 - b.x0) * (b.y1 - b.y0) - inter);
}

beforeAll(async () => {
  ({ url, server } = await serveBuiltApp());
  browser = await launch();
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  requests = recordRequests(context);
  page = await context.newPage();
  await page.goto(url);
  await page.getByTestId('file-input').setInputFiles([fixturePath('raster/tbx11k-tb0005.png')]);
  await page.waitForFunction(() => document.querySelector('[data-testid=readout-size]')?.textContent === '512×512');
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('streams the fixture VLM answer into the panel, and its box onto the image', async () => {
  await page.getByTestId('ask-model').selectOption('test-medgemma-tiny');
  await page.getByTestId('ask-question').fill('Where is the tuberculosis?');
  // Record what the streaming paragraph shows as tokens arrive.
  await page.evaluate(() => {
    (window as unknown as { seen: string[] }).seen = [];
    new MutationObserver(() => {
      const text = document.querySelector('[data-testid=ask-streaming]')?.textContent;
      if (text) (window as unknown as { seen: string[] }).seen.push(text);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await page.getByTestId('ask-submit').click();
  const chat = page.getByTestId('ask-chat');
  await expect
    .poll(() => chat.textContent(), SLOW)
    .toMatch(/Final Answer: \[\{"box_2d": \[248, 746, 335, 824\], "label": "active tuberculosis"\}\]/);
  const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
  expect(new Set(seen).size).toBeGreaterThan(3);
  expect(await chat.textContent()).toMatch(
    /MedGemma-architecture fixture \(test model, random weights\) — not a diagnosis\./,
  );
  expect(await page.getByTestId('ask-backend').textContent()).toMatch(
    /^WebGPU · fp32 — GPU adapter without shader-f16/,
  );
  expect(await page.getByTestId('ask-speed').textContent()).toMatch(/tokens\/s · first token \d+ ms/);

  const box = await page.evaluate(() =>
    window.medlens.overlay.list().find((o) => o.kind === 'box' && o.label === 'active tuberculosis'),
  );
  expect(box).toBeDefined();
  expect(iou(box as typeof TRUTH, TRUTH)).toBeGreaterThanOrEqual(0.95);
});

it('turns the named box into a mask with one click', async () => {
  await page.getByTestId('segment-model').selectOption('test-sam-tiny');
  await page.getByTestId('segment-backend-choice').selectOption('wasm');
  await page.getByTestId('segment-load').click();
  await page.getByTestId('segment-backend').waitFor({ timeout: 60_000 });
  await page.getByTestId('ask-segment').click();
  const readMask = () =>
    page.evaluate(() => {
      const m = window.medlens.overlay.list().find((o) => o.kind === 'mask');
      return m && m.kind === 'mask' ? Array.from(m.data) : undefined;
    });
  await expect.poll(readMask, SLOW).toBeDefined();
  const mask = (await readMask())!;
  const named = (await page.evaluate(() =>
    window.medlens.overlay.list().find((o) => o.label === 'active tuberculosis'),
  )) as typeof TRUTH;
  let [x0, y0, x1, y1] = [512, 512, 0, 0];
  mask.forEach((v, i) => {
    if (!v) return;
    [x0, x1] = [Math.min(x0, i % 512), Math.max(x1, (i % 512) + 1)];
    [y0, y1] = [Math.min(y0, Math.floor(i / 512)), Math.max(y1, Math.floor(i / 512) + 1)];
  });
  // The mask covers the box the model named, to within a pixel on every side.
  for (const [got, want] of [
    [x0, named.x0],
    [y0, named.y0],
    [x1, named.x1],
    [y1, named.y1],
  ]) {
    expect(Math.abs(got! - want!)).toBeLessThanOrEqual(1);
  }
});

it('says why when a model’s logits turn to NaN, and the panel answers with the next model', async () => {
  await page.getByTestId('ask-model').selectOption('test-medgemma-nan');
  await page.getByTestId('ask-question').fill('Describe.');
  await page.getByTestId('ask-submit').click();
  await expect
    .poll(() => page.getByTestId('ask-error').textContent(), SLOW)
    .toMatch(/produced NaN logits at token 4: generation stopped, the answer would be garbage\./);
  await page.getByTestId('ask-model').selectOption('test-medgemma-tiny');
  await page.getByTestId('ask-question').fill('Where is the tuberculosis, again?');
  await page.getByTestId('ask-submit').click();
  await expect.poll(() => page.getByTestId('ask-chat').textContent(), SLOW).toMatch(/again\?[^]*Final Answer:/);
  expect(await page.getByTestId('ask-error').count()).toBe(0);
});

it('offers a task-prompted model its tasks, and draws its <loc_N> box on WebGPU', async () => {
  await page.getByTestId('ask-model').selectOption('test-florence2-blob');
  await expect.poll(() => page.getByTestId('ask-tasks-note').isVisible()).toBe(true);
  expect(await page.getByLabel('System prompt').count()).toBe(0);
  await page.getByLabel('Finding to locate').fill('lung');
  await page.getByRole('button', { name: 'Locate' }).click();
  // The fixture labels its box with the last four characters of the task prompt the processor
  // built from <CAPTION_TO_PHRASE_GROUNDING>lung, and answers with four bins: only the label
  // is text a user reads. The box is drawn while the answer streams; the finished turn, with
  // its "Segment this", is what this waits for.
  const chat = page.getByTestId('ask-chat');
  await expect
    .poll(() => chat.textContent(), SLOW)
    .toMatch(
      /<CAPTION_TO_PHRASE_GROUNDING>lung\s*lung\s*Segment this: lung\s*Florence-2-architecture fixture .*\(test model, random weights\) — not a diagnosis\./,
    );
  const box = await page.evaluate(() =>
    window.medlens.overlay.list().find((o) => o.kind === 'box' && o.label === 'lung'),
  );
  expect(box).toBeDefined();
  expect(await page.getByTestId('ask-backend').textContent()).toMatch(/^WebGPU · fp32/);
  const { x0, y0, x1, y1 } = box as { x0: number; y0: number; x1: number; y1: number };
  expect(0 <= x0 && x0 < x1 && x1 <= 512 && 0 <= y0 && y0 < y1 && y1 <= 512).toBe(true);
});

it('made no request beyond its own origin', () => {
  expect(foreignRequests(requests, url)).toEqual([]);
});
