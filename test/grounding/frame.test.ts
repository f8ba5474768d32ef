import { expect, it } from 'vitest';
import { BOX_FORMATS, type ImageFrame } from '../../src/lib/grounding';
import { padImage } from '../../src/lib/models/vlm-image';

it('centres a wide image on a black square, its pixels unchanged', () => {
  // 4×2 image, pixel (x, y) = [10x + y, 1, 2, 255].
  const rgba = new Uint8ClampedArray(4 * 2 * 4);
  for (let y = 0; y < 2; y++) for (let x = 0; x < 4; x++) rgba.set([10 * x + y, 1, 2, 255], (y * 4 + x) * 4);
  const padded = padImage({ width: 4, height: 2, rgba }, 'centre-square');
  expect([padded.width, padded.height]).toEqual([4, 4]);
  const at = (x: number, y: number) => Array.from(padded.rgba.subarray((y * 4 + x) * 4, (y * 4 + x) * 4 + 4));
  for (let x = 0; x < 4; x++) {
    expect(at(x, 0)).toEqual([0, 0, 0, 255]);
    expect(at(x, 1)).toEqual([10 * x, 1, 2, 255]);
    expect(at(x, 2)).toEqual([10 * x + 1, 1, 2, 255]);
    expect(at(x, 3)).toEqual([0, 0, 0, 255]);
  }
  expect(padImage({ width: 4, height: 2, rgba }, 'none').rgba).toBe(rgba);
});

it('reads a MedGemma box on the padded square back to the image, and only under that padding', () => {
  // A 200×100 image centred on a 200² square: rows 50…150 of the square are the image.
  // box_2d [y0, x0, y1, x1] = [250, 0, 750, 1000] covers exactly those rows: the whole image.
  const text = 'Final Answer: [{"box_2d": [250, 0, 750, 1000], "label": "all"}]';
  const image = { width: 200, height: 100 };
  const padded: ImageFrame = { image, padding: 'centre-square' };
  expect(BOX_FORMATS.medgemma!.parse(text, padded)).toEqual([{ label: 'all', x0: 0, y0: 0, x1: 200, y1: 100 }]);
  // Read as if unpadded (Gemma 3's processor alone stretches), the same answer is the middle half.
  expect(BOX_FORMATS.medgemma!.parse(text, { image, padding: 'none' })).toEqual([
    { label: 'all', x0: 0, y0: 25, x1: 200, y1: 75 },
  ]);
});

it('reads Qwen2.5-VL pixels in the processor’s output frame, and draws nothing without it', () => {
  const image = { width: 1477, height: 1198 };
  const text = '```json\n[{"bbox_2d": [742, 602, 1484, 1204], "label": "right half, lower half"}]\n```';
  // 1477×1198 → 1484×1204 under the published max_pixels (12,845,056); half of each axis.
  const [box] = BOX_FORMATS['qwen2.5-vl']!.parse(text, {
    image,
    padding: 'none',
    input: { width: 1484, height: 1204 },
  });
  expect(box).toMatchObject({ x0: 738.5, y0: 599, x1: 1477, y1: 1198 });
  expect(BOX_FORMATS['qwen2.5-vl']!.parse(text, { image, padding: 'none' })).toEqual([]);
  // A bare list (no JSON) is read the same way.
  const bare = BOX_FORMATS['qwen2.5-vl']!.parse('The finding is at [742, 602, 1484, 1204].', {
    image,
    padding: 'none',
    input: { width: 1484, height: 1204 },
  });
  expect(bare).toMatchObject([{ x0: 738.5, y0: 599, x1: 1477, y1: 1198 }]);
});

it('reads MedRegA answers without <ref>/<box> tags, as its evaluator does', () => {
  // The form xmed-lab/MedRegA src/eval/regt2r/evaluator_reg.py parses (label[[x1, y1, x2, y2]], 0–999).
  const frame: ImageFrame = { image: { width: 999, height: 1998 }, padding: 'none' };
  const boxes = BOX_FORMATS.medrega!.parse('liver[[100, 200, 300, 400]], spleen[[500, 100, 700, 300]]', frame);
  const toMicro = (v: number) => Math.round(v * 1e6) / 1e6;
  expect(
    boxes.map((b) => ({ ...b, x0: toMicro(b.x0), y0: toMicro(b.y0), x1: toMicro(b.x1), y1: toMicro(b.y1) })),
  ).toEqual([
    { label: 'liver', x0: 100, y0: 400, x1: 300, y1: 800 },
    { label: 'spleen', x0: 500, y0: 200, x1: 700, y1: 600 },
  ]);
});
