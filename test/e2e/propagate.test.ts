import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { builtAppAndBrowser } from './browser';
import { sphereSeries } from '../fixtures/phantoms.mjs';
import { dice } from '../models/dice';

const SLOW = { timeout: 180_000, interval: 100 };
const phantom = sphereSeries({ slices: 40, size: 128, spacingMm: 1.5, radiusMm: 20 });
const BOX = { x0: 40, y0: 40, x1: 88, y1: 88 };

const app = builtAppAndBrowser();
let files: string[];

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'medlens-sphere-'));
  files = phantom.files.map((f) => {
    writeFileSync(join(dir, f.name), f.bytes);
    return join(dir, f.name);
  });
});

function truth(z: number): number[] {
  const { size, centre, radiusMm } = phantom;
  const out: number[] = [];
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++)
      out.push(Math.hypot(x + 0.5 - centre.x, y + 0.5 - centre.y, z - centre.z) <= radiusMm ? 1 : 0);
  return out;
}

/** Each slice's mask (by index in the stack), with the slice's z and the mask overlay's id. */
function masks(page: Page) {
  return page.evaluate(() => {
    const { viewer } = window.medlens;
    return viewer.stack!.slices.map((s) => {
      const m = viewer.allOverlays.find((o) => o.image === s.id && o.kind === 'mask');
      return {
        z: s.image.location!.position![2],
        id: m?.id,
        data: m && m.kind === 'mask' ? Array.from(m.data) : undefined,
      };
    });
  });
}

async function openAndLoad(page: Page, backend: 'webgpu' | 'wasm') {
  await page.goto(app.url);
  await page.getByTestId('file-input').setInputFiles(files);
  await page.waitForFunction(() => window.medlens.viewer.stack?.slices.length === 40);
  await page.getByTestId('segment-model').selectOption('test-sam-intensity');
  await page.getByTestId('segment-backend-choice').selectOption(backend);
  await page.getByTestId('segment-load').click();
  await page.getByTestId('segment-backend').waitFor({ timeout: 60_000 });
}

/** Segments `box` on slice `index` as a user would, then propagates, stopping after `stopAfter` new masks. */
async function propagateFrom(page: Page, index: number, box: typeof BOX, stopAfter = Infinity) {
  await page.evaluate(
    async ({ index, box, stopAfter }) => {
      const { viewer, segmentation, overlay } = window.medlens;
      viewer.scroll(-Infinity);
      viewer.scroll(index);
      await segmentation.run({ points: [], box });
      // Main-thread tasks over 50 ms from here until propagation ends (the seed's own mask is not counted).
      const longTasks: number[] = ((window as unknown as { longTasks: number[] }).longTasks = []);
      const watch = new PerformanceObserver((list) => longTasks.push(...list.getEntries().map((e) => e.duration)));
      watch.observe({ type: 'longtask' });
      let added = 0;
      const off = overlay.on('change', () => {
        const running = segmentation.propagation?.running;
        if (running && segmentation.propagation!.done > added) added = segmentation.propagation!.done;
        if (added >= stopAfter) segmentation.stopPropagation();
      });
      await segmentation.propagate();
      off();
      watch.disconnect();
    },
    { index, box, stopAfter },
  );
}

describe.each(['wasm', 'webgpu'] as const)('on %s', (backend) => {
  it('carries a mask through a sphere: Dice ≥ 0.95, stops at its ends, volume within 3%, no long task', async () => {
    const page = await app.browser.newPage({ viewport: { width: 1280, height: 720 } });
    await openAndLoad(page, backend);
    await propagateFrom(page, 20, BOX);
    await expect
      .poll(() => page.getByTestId('propagate-done').textContent(), SLOW)
      .toMatch(/mask vanished \/ mask vanished/);
    const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
    const result = await masks(page);
    const withTruth = result.map((r) => ({ ...r, truth: truth(r.z) }));
    const inside = withTruth.map((r) => r.truth.some((v) => v));
    const masked = withTruth.map((r) => r.data !== undefined);
    expect(Math.abs(masked.indexOf(true) - inside.indexOf(true))).toBeLessThanOrEqual(1);
    expect(Math.abs(masked.lastIndexOf(true) - inside.lastIndexOf(true))).toBeLessThanOrEqual(1);
    for (const [i, r] of withTruth.entries())
      if (r.data) expect(dice(r.data, r.truth), `slice ${i}`).toBeGreaterThanOrEqual(0.95);
    const volume = await page.getByTestId('result-volume').textContent();
    const ml = Number(/([\d.]+) mL/.exec(volume ?? '')?.[1]);
    const truthMl = ((4 / 3) * Math.PI * 20 ** 3) / 1000;
    expect(Math.abs(ml - truthMl) / truthMl).toBeLessThan(0.03);
    expect(longTasks.filter((ms) => ms > 50)).toEqual([]);
    await page.close();
  });
});

describe('stopping and editing', () => {
  it('keeps what was done when stopped, stays usable, and re-propagation replaces only what it revisits', async () => {
    const page = await app.browser.newPage({ viewport: { width: 1280, height: 720 } });
    await openAndLoad(page, 'wasm');
    await propagateFrom(page, 20, BOX, 4);
    const stopped = await masks(page);
    const done = stopped.filter((m) => m.data).length;
    expect(done).toBeGreaterThanOrEqual(5); // the seed and at least the four asked for
    expect(done).toBeLessThan(20);
    expect(await page.getByTestId('propagate-done').textContent()).toMatch(/stopped \/ stopped/);

    // Usable: a full propagation, then the user corrects slice 25 and propagates again, stopped early.
    await propagateFrom(page, 20, BOX);
    const before = await masks(page);
    await propagateFrom(page, 25, { x0: 56, y0: 40, x1: 88, y1: 88 }, 2);
    const after = await masks(page);
    const changed = after.flatMap((m, i) => (m.id !== before[i]!.id ? [i] : []));
    // It revisited a run of slices around 25 (stopped early) and nothing else: one contiguous
    // run containing 25, fewer than all the masked slices; every other mask is untouched.
    expect(changed).toContain(25);
    expect(changed.at(-1)! - changed[0]! + 1).toBe(changed.length);
    expect(changed.length).toBeLessThan(before.filter((m) => m.data).length);
    for (const [i, m] of after.entries()) {
      if (!changed.includes(i)) {
        expect(m.id).toBe(before[i]!.id);
        expect(m.data).toEqual(before[i]!.data);
      }
    }
    await page.close();
  });
});
