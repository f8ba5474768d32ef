import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { launch, serveBuiltApp } from './browser';
import { dice } from '../models/dice';

/**
 * Real weights, where ../shared/models/<id>/ has them, with a reference case beside them
 * (reference.json: { image, box: [x0, y0, x1, y1], mask: PNG path, 0/255 }). Skipped with the
 * reason printed otherwise: no weights are reachable from our machines yet.
 */
const SHARED = fileURLToPath(new URL('../../../shared/models/', import.meta.url));
const DIST_MODELS = fileURLToPath(new URL('../../dist/models/', import.meta.url));
// sam-vit-b's fp16 encoder needs shader-f16, which SwiftShader lacks: here it is its int8 stand-in that runs.
const IDS = ['medsam-vit-b', 'litemedsam', 'sam-vit-b-int8', 'mobilesam'];

interface Reference {
  image: string;
  box: [number, number, number, number];
  mask: string;
}

const available = IDS.filter((id) => {
  const missing = ['encoder.onnx', 'decoder.onnx', 'reference.json'].filter((f) => !existsSync(`${SHARED}${id}/${f}`));
  if (missing.length > 0)
    console.log(`segment-real-weights: skipping ${id}: ${SHARED}${id}/ lacks ${missing.join(', ')}`);
  return missing.length === 0;
});

if (available.length === 0) it.skip('real segmentation weights: none in ../shared/models/ (reasons printed above)');

describe.runIf(available.length > 0)('real segmentation weights', () => {
  let server: PreviewServer;
  let url: string;
  let browser: Browser;

  beforeAll(async () => {
    for (const id of available) cpSync(`${SHARED}${id}`, `${DIST_MODELS}${id}`, { recursive: true });
    ({ url, server } = await serveBuiltApp());
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    for (const id of available) rmSync(`${DIST_MODELS}${id}`, { recursive: true, force: true });
  });

  async function segment(page: Page, id: string, backend: 'webgpu' | 'wasm', reference: Reference): Promise<number[]> {
    await page.goto(url);
    await page.getByTestId('file-input').setInputFiles([`${SHARED}${id}/${reference.image}`]);
    await page.getByTestId('segment-model').selectOption(id);
    await page.getByTestId('segment-backend-choice').selectOption(backend);
    await page.getByTestId('segment-load').click();
    await page.getByTestId('segment-backend').waitFor({ timeout: 600_000 });
    const [x0, y0, x1, y1] = reference.box;
    await page.evaluate((box) => window.medlens.segmentation.setBox(box), { x0, y0, x1, y1 });
    return page.evaluate(() => {
      const mask = window.medlens.overlay.list().find((o) => o.kind === 'mask');
      return mask && mask.kind === 'mask' ? Array.from(mask.data) : [];
    });
  }

  for (const id of available) {
    it(`${id}: Dice ≥ 0.8 against the reference mask, and WebGPU agrees with WASM`, async () => {
      const reference: Reference = JSON.parse(readFileSync(`${SHARED}${id}/reference.json`, 'utf8'));
      const page = await browser.newPage();
      const expected = await page.evaluate(
        async (png) => {
          const bitmap = await createImageBitmap(new Blob([new Uint8Array(png)]));
          const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
          const context = canvas.getContext('2d')!;
          context.drawImage(bitmap, 0, 0);
          const rgba = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
          return Array.from({ length: rgba.length / 4 }, (_, i) => (rgba[4 * i]! > 127 ? 1 : 0));
        },
        [...readFileSync(`${SHARED}${id}/${reference.mask}`)],
      );
      const gpu = await segment(page, id, 'webgpu', reference);
      const cpu = await segment(page, id, 'wasm', reference);
      expect(dice(gpu, expected)).toBeGreaterThanOrEqual(0.8);
      expect(dice(gpu, cpu)).toBeGreaterThanOrEqual(0.98);
      await page.close();
    }, 1_200_000);
  }
});
