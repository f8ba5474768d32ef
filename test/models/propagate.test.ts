import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Segmenter, type PropagatedSlice } from '../../src/lib/models/segmenter';
import { parseManifest, type SegmentationModel } from '../../src/lib/models/manifest';
import { decodeDicom } from '../../src/lib/imaging/dicom/decode-dicom';
import { buildStacks, sliceSpacing, type Slice } from '../../src/lib/imaging/series';
import { renderFrame } from '../../src/lib/imaging/window';
import { maskVolume, measureMask } from '../../src/lib/measure/measures';
import { serveModels } from './model-server';
import { sphereSeries } from '../fixtures/phantoms.mjs';
import { dice } from './dice';

const models = parseManifest(JSON.parse(readFileSync(new URL('../../models/manifest.json', import.meta.url), 'utf8')));
const model = models.find((m) => m.id === 'test-sam-intensity') as SegmentationModel;
const phantom = sphereSeries({ slices: 40, size: 128, spacingMm: 1.5, radiusMm: 20 });
const WINDOW = { center: 40, width: 400 };

let server: Awaited<ReturnType<typeof serveModels>>;
let slices: Slice[];
const segmenter = new Segmenter();

/** The sphere's true cross-section on a slice at height z: pixel centres within the radius. */
function truth(z: number): Uint8Array {
  const { size, centre, radiusMm } = phantom;
  const out = new Uint8Array(size * size);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++)
      out[y * size + x] = Math.hypot(x + 0.5 - centre.x, y + 0.5 - centre.y, z - centre.z) <= radiusMm ? 1 : 0;
  return out;
}

const render = (s: Slice) => ({
  width: s.image.width,
  height: s.image.height,
  rgba: renderFrame(s.image, s.frame, { window: WINDOW, invert: false }),
});

beforeAll(async () => {
  server = await serveModels();
  const images = await Promise.all(
    phantom.files.map(async (f, i) => ({ ...(await decodeDicom(new Uint8Array(f.bytes), f.name)), id: `s${i}` })),
  );
  slices = buildStacks(images)[0]!.slices;
  await segmenter.load(model, { baseUrl: server.baseUrl }, 'wasm', () => {});
});
afterAll(async () => {
  await segmenter.dispose();
  await server?.close();
});

async function run(start: number, cancelAfter = Infinity) {
  const seedSlice = slices[start]!;
  const key = (i: number) => `sphere-${i}`;
  await segmenter.encode(key(start), render(seedSlice));
  // The user's box on the middle slice: around the 40 mm wide cross-section.
  const seed = await segmenter.decode(
    key(start),
    { points: [], box: { x0: 40, y0: 40, x1: 88, y1: 88 } },
    render(seedSlice),
    1,
  );
  if (seed.stale) throw new Error('seed decode was dropped');
  const masks = new Map<number, PropagatedSlice>();
  const stops = await segmenter.propagate(
    { count: slices.length, start, seed: { key: key(start), width: 128, height: 128, mask: seed.mask } },
    async (index) => ({ key: key(index), image: render(slices[index]!) }),
    (result) => {
      masks.set(result.index, result);
      if (masks.size >= cancelAfter) segmenter.cancelPropagation();
    },
  );
  return { seed: seed.mask, masks, stops };
}

it('carries a mask from the middle slice through a sphere: Dice ≥ 0.95 per slice, stops at its ends, volume within 3%', async () => {
  const start = 20;
  const { seed, masks, stops } = await run(start);
  const z = (i: number) => slices[i]!.image.location!.position![2];
  // Slices whose true cross-section is not empty.
  const inside = slices.map((_, i) => truth(z(i)).some((v) => v));
  const first = inside.indexOf(true);
  const last = inside.lastIndexOf(true);
  const visited = [...masks.keys()].sort((a, b) => a - b);
  expect(stops).toMatchObject({ up: 'mask vanished', down: 'mask vanished' });
  expect(Math.abs(visited[0]! - first)).toBeLessThanOrEqual(1);
  expect(Math.abs(visited.at(-1)! - last)).toBeLessThanOrEqual(1);
  for (const [i, m] of masks) expect(dice(m.mask, truth(z(i))), `slice ${i}`).toBeGreaterThanOrEqual(0.95);
  const areas = [seed, ...[...masks.values()].map((m) => m.mask)].map(
    (mask, k) => measureMask(slices[k === 0 ? start : [...masks.keys()][k - 1]!]!.image, 0, mask).area,
  );
  const volume = maskVolume(areas, sliceSpacing(slices)!)!;
  const truthMl = ((4 / 3) * Math.PI * 20 ** 3) / 1000;
  expect(Math.abs(volume.value - truthMl) / truthMl).toBeLessThan(0.03);
});

it('stops when asked, keeping the slices done', async () => {
  const { masks, stops } = await run(20, 3);
  expect(masks.size).toBe(3);
  expect(stops.up).toBe('stopped');
  expect(stops.down).toBe('stopped');
});

it("runs the same loop on LiteMedSAM's contract (no mask input), to the series' ends", async () => {
  // The LiteMedSAM-convention fixture's mask is its prompt box and its "IoU" the mean of its
  // embedding (not a prediction): with the IoU rule lifted, nothing stops it but the ends.
  const lite = new Segmenter();
  const liteModel = models.find((m) => m.id === 'test-litemedsam-tiny') as SegmentationModel;
  await lite.load(liteModel, { baseUrl: server.baseUrl }, 'wasm', () => {});
  try {
    const count = 6;
    const seed = new Uint8Array(128 * 128);
    for (let y = 40; y < 80; y++) for (let x = 40; x < 80; x++) seed[y * 128 + x] = 1;
    const visited: number[] = [];
    const stops = await lite.propagate(
      {
        count,
        start: 2,
        seed: { key: 'lite-2', width: 128, height: 128, mask: seed },
        limits: { margin: 0.1, minIou: -Infinity, maxAreaRatio: 2.5 },
      },
      async (index) => ({ key: `lite-${index}`, image: render(slices[18 + index]!) }),
      (result) => visited.push(result.index),
    );
    expect(stops).toMatchObject({ up: 'end of series', down: 'end of series' });
    expect(visited.sort()).toEqual([0, 1, 3, 4, 5]);
  } finally {
    await lite.dispose();
  }
});
