import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Segmenter } from '../../src/lib/models/segmenter';
import { parseManifest, type SegmentationModel } from '../../src/lib/models/manifest';
import type { DisplayedImage } from '../../src/lib/models/sam-preprocess';
import { serveModels } from './model-server';

// test-sam-intensity keeps "inside the prompt AND brighter than the ImageNet mean", weighing the
// normalised channels 0.5 R + 0.3 G + 0.2 B: a mask that depends on where each pixel is, on
// its channel order and on the normalisation. On a non-square image with an off-centre,
// left/right-asymmetric structure, a flipped, transposed, channel-swapped or min-max-normalised
// encoder input each gives another mask.
const models = parseManifest(JSON.parse(readFileSync(new URL('../../models/manifest.json', import.meta.url), 'utf8')));
const model = models.find((m) => m.id === 'test-sam-intensity') as SegmentationModel;
const [W, H] = [200, 120];

/** An "L" in red (240, 60, 60) on grey (100, 100, 100), in the left half of the image. */
const inL = (x: number, y: number) =>
  (x >= 30 && x < 70 && y >= 20 && y < 100) || (x >= 30 && x < 110 && y >= 80 && y < 100);
const distanceToEdge = (x: number, y: number) => {
  let d = Infinity;
  for (let dy = -3; dy <= 3; dy++)
    for (let dx = -3; dx <= 3; dx++) if (inL(x + dx, y + dy) !== inL(x, y)) d = Math.min(d, Math.hypot(dx, dy));
  return d;
};

/** A second red structure, a square right of the L (outside the first test's box). */
const inSquare = (x: number, y: number) => x >= 160 && x < 190 && y >= 30 && y < 70;

function image(): DisplayedImage {
  const rgba = new Uint8ClampedArray(W * H * 4);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      rgba.set(inL(x, y) || inSquare(x, y) ? [240, 60, 60, 255] : [100, 100, 100, 255], 4 * (y * W + x));
  return { width: W, height: H, rgba };
}

let server: Awaited<ReturnType<typeof serveModels>>;
const segmenter = new Segmenter();
beforeAll(async () => {
  server = await serveModels();
  await segmenter.load(model, { baseUrl: server.baseUrl }, 'wasm', () => {});
});
afterAll(async () => {
  await segmenter.dispose();
  await server?.close();
});

it('masks exactly the bright structure inside the box, at its own place on a non-square image', async () => {
  await segmenter.encode('L', image());
  const box = { x0: 10, y0: 5, x1: 150, y1: 110 };
  const result = await segmenter.decode('L', { points: [], box }, { width: W, height: H }, 1);
  if (result.stale) throw new Error('dropped');
  let far = 0;
  let inside = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const want = inL(x, y) ? 1 : 0;
      inside += want;
      // Resampling to the 128-wide model frame and back blurs the edges by a pixel or two.
      if (result.mask[y * W + x] !== want && distanceToEdge(x, y) > 2) far++;
    }
  }
  expect(inside).toBe(4000);
  expect(far).toBe(0);
});

it('keeps the previous mask when a click refines it (mask_input), and only then', async () => {
  await segmenter.encode('two', image());
  const size = { width: W, height: H };
  const decode = async (x: number, y: number, seq: number, refine: boolean) => {
    const result = await segmenter.decode('two', { points: [{ x, y, positive: true }] }, size, seq, refine);
    if (result.stale) throw new Error('dropped');
    return (px: number, py: number) => result.mask[py * W + px] === 1;
  };
  const first = await decode(50, 60, 1, false);
  expect(first(50, 60) && !first(175, 50)).toBe(true);
  // The second click, on the square, with the first mask as mask_input: both structures.
  const refined = await decode(175, 50, 2, true);
  expect([refined(50, 60), refined(175, 50), refined(120, 50)]).toEqual([true, true, false]);
  // The same click afresh: the square alone.
  const afresh = await decode(175, 50, 3, false);
  expect([afresh(50, 60), afresh(175, 50)]).toEqual([false, true]);
});
