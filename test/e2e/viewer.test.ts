import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { foreignRequests, launch, recordRequests, serveBuiltApp } from './browser';
import { fixturePath } from '../imaging/fixtures';

let server: PreviewServer;
let url: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let requests: Request[];

const SERIES = ['a', 'b', 'c', 'd', 'e'].map((x) => fixturePath(`generated/series/ct-${x}.dcm`));
const PNG = fixturePath('raster/nih-cxr14-00000001_000.png');

/** Grey for a modality value under a LINEAR window (PS3.3 C.11.2.1.2.1), the test's own oracle. */
function linearGrey(x: number, c: number, w: number): number {
  if (x <= c - 0.5 - (w - 1) / 2) return 0;
  if (x > c - 0.5 + (w - 1) / 2) return 255;
  return Math.round(((x - (c - 0.5)) / (w - 1) + 0.5) * 255);
}

/** Reads the viewport canvas at the device pixel that shows image pixel (x, y). */
async function pixelAt(x: number, y: number): Promise<[number, number, number]> {
  return page.evaluate(
    ({ x, y }) => {
      const m = window.medlens.viewer.imageToDevice()!;
      const canvas = document.querySelector<HTMLCanvasElement>('[data-testid=viewport-canvas]')!;
      const px = Math.floor((x + 0.5) * m[0] + m[4]);
      const py = Math.floor((y + 0.5) * m[3] + m[5]);
      const d = canvas.getContext('2d')!.getImageData(px, py, 1, 1).data;
      return [d[0]!, d[1]!, d[2]!] as [number, number, number];
    },
    { x, y },
  );
}

const frameText = () => page.getByTestId('readout-frame').textContent();
const currentWindow = () => page.evaluate(() => window.medlens.viewer.window!);
const nextFrame = () => new Promise((r) => setTimeout(r, 50));

beforeAll(async () => {
  ({ url, server } = await serveBuiltApp());
  browser = await launch();
  // 1280×720 at device pixel ratio 2: the smallest screen we support, on a HiDPI display.
  context = await browser.newContext({ viewport: { width: 1280, height: 720 }, deviceScaleFactor: 2 });
  requests = recordRequests(context);
  page = await context.newPage();
  await page.goto(url);
  await page.getByTestId('privacy-badge').waitFor();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('shows the empty-state hint as one sentence on one line', async () => {
  const hint = page.getByTestId('empty-state');
  expect(await hint.textContent()).toMatch(
    /^\s*Drop DICOM, PNG or JPEG files or a folder here, or press O to open\.\s*$/,
  );
  // Every piece of the sentence (text and <kbd>) sits on the same line box.
  const tops = await hint.evaluate((element) => {
    const range = document.createRange();
    range.selectNodeContents(element);
    return [...range.getClientRects()].map((r) => Math.round(r.top + r.height / 2));
  });
  expect(Math.max(...tops) - Math.min(...tops)).toBeLessThanOrEqual(4);
});

it('opens a shuffled DICOM series in position order and scrolls it', async () => {
  await page.getByTestId('file-input').setInputFiles(SERIES);
  await expect.poll(frameText).toBe('1/5');
  expect(await page.getByTestId('readout-size').textContent()).toBe('96×64');
  // Slice k has a centre rectangle of 100·k HU; the file's window is W 400 L 40.
  expect((await pixelAt(48, 32))[0]).toBe(linearGrey(0, 40, 400));
  await page.keyboard.press('ArrowDown');
  await expect.poll(frameText).toBe('2/5');
  await nextFrame();
  expect((await pixelAt(48, 32))[0]).toBe(linearGrey(100, 40, 400));
  await page.mouse.move(700, 400);
  await page.mouse.wheel(0, 120);
  await expect.poll(frameText).toBe('3/5');
  await nextFrame();
  expect((await pixelAt(48, 32))[0]).toBe(linearGrey(200, 40, 400));
});

it('draws the canvas at device resolution', async () => {
  const { width, clientWidth } = await page
    .getByTestId('viewport-canvas')
    .evaluate((c: HTMLCanvasElement) => ({ width: c.width, clientWidth: c.clientWidth }));
  expect(width).toBe(clientWidth * 2);
});

it('changes the window with presets and right-drag, and the pixel follows', async () => {
  await page.keyboard.press('1'); // lung
  await expect.poll(() => page.getByTestId('readout-window').textContent()).toBe('W 1500 L -600');
  await nextFrame();
  expect((await pixelAt(48, 32))[0]).toBe(linearGrey(200, -600, 1500));

  const before = await currentWindow();
  await page.mouse.move(600, 400);
  await page.mouse.down({ button: 'right' });
  await page.mouse.move(700, 450, { steps: 5 });
  await page.mouse.up({ button: 'right' });
  const after = await currentWindow();
  expect(after.width).toBeGreaterThan(before.width);
  expect(after.center).toBeGreaterThan(before.center);
  await nextFrame();
  expect((await pixelAt(48, 32))[0]).toBe(linearGrey(200, after.center, after.width));
  // The top rows hold a ramp from −1000 to 1000 HU across the width.
  const x = 60;
  const hu = Math.round(-1000 + (2000 * x) / 95);
  expect((await pixelAt(x, 1))[0]).toBe(linearGrey(hu, after.center, after.width));
});

it('composites boxes and masks from the overlay API over the image', async () => {
  await page.keyboard.press('f');
  await nextFrame();
  const grey = (await pixelAt(20, 40))[0];
  const ids = await page.evaluate(() => {
    const { overlay, viewer } = window.medlens;
    const image = viewer.slice!.id;
    const data = new Uint8Array(96 * 64);
    for (let y = 0; y < 64; y++) for (let x = 0; x < 48; x++) data[y * 96 + x] = 1;
    return [
      overlay.addMask({ image, width: 96, height: 64, data, color: '#00ff00', opacity: 0.5, label: 'left half' }),
      overlay.addBox({ image, x0: 60, y0: 10, x1: 90, y1: 50, color: '#ff0000', label: 'finding' }),
    ];
  });
  await nextFrame();
  const masked = await pixelAt(20, 40);
  expect(Math.abs(masked[0] - grey * 0.5)).toBeLessThanOrEqual(2);
  expect(Math.abs(masked[1] - (grey * 0.5 + 127.5))).toBeLessThanOrEqual(2);
  // The box edge at x = 60 is stroked 2 CSS px wide, centred on the edge.
  const edge = await page.evaluate(() => {
    const m = window.medlens.viewer.imageToDevice()!;
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid=viewport-canvas]')!;
    const d = canvas
      .getContext('2d')!
      .getImageData(Math.round(60 * m[0] + m[4]), Math.round(30 * m[3] + m[5]), 1, 1).data;
    return [d[0], d[1], d[2]];
  });
  expect(edge).toEqual([255, 0, 0]);
  // Unchanged outside both.
  expect((await pixelAt(75, 30))[0]).toBe((await pixelAt(75, 30))[1]);

  await page.evaluate(([mask]) => window.medlens.overlay.update(mask!, { visible: false }), ids);
  await nextFrame();
  expect((await pixelAt(20, 40))[0]).toBe(grey);
  await page.evaluate(() => window.medlens.overlay.clear());
});

it('opens a dropped PNG as its own image', async () => {
  const bytes = [...readFileSync(PNG)];
  await page.evaluate((bytes) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([new Uint8Array(bytes)], 'chest.png', { type: 'image/png' }));
    document.querySelector('.app')!.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true }));
  }, bytes);
  await expect.poll(() => page.getByTestId('stack').count()).toBe(2);
  await expect.poll(() => page.getByTestId('readout-size').textContent()).toBe('512×512');
  expect(await frameText()).toBe('1/1');
});

it('names the file and reason of bad input, and keeps what was open', async () => {
  await page
    .getByTestId('file-input')
    .setInputFiles([fixturePath('generated/bad/not-dicom.dcm'), fixturePath('dicom/MR_truncated.dcm')]);
  const messages = page.getByTestId('message');
  await expect.poll(() => messages.count()).toBe(2);
  expect(await messages.nth(0).textContent()).toMatch(/^not-dicom\.dcm: not a DICOM file/);
  expect(await messages.nth(1).textContent()).toMatch(/^MR_truncated\.dcm: .*truncated/);
  expect(await page.getByTestId('stack').count()).toBe(2);
  // The decode worker survived: the next file opens.
  await page.getByTestId('file-input').setInputFiles([fixturePath('dicom/MR_small_jp2klossless.dcm')]);
  await expect.poll(() => page.getByTestId('stack').count()).toBe(3);
  await expect.poll(() => page.getByTestId('readout-size').textContent()).toBe('64×64');
});

it('made no request beyond its own origin', () => {
  expect(requests.length).toBeGreaterThan(0);
  expect(foreignRequests(requests, url)).toEqual([]);
});
