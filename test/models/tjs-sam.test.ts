import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AutoProcessor, RawImage, SamModel, SamProcessor, env, type Tensor } from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import { parseManifest, type SegmentationModel } from '../../src/lib/models/manifest';
import type { DisplayedImage } from '../../src/lib/models/sam-preprocess';
import type { SegmentPrompt } from '../../src/lib/models/sam-prompt';
import { SamSession } from '../../src/lib/models/sam-session';
import { dice } from './dice';

// transformers.js' SAM layout (Xenova/sam-vit-base and its kin), checked against transformers.js'
// own pipeline on the same files: SamProcessor → SamModel → SamProcessor.post_process_masks, the
// candidate its IoU head rates best. The fixture's masks follow the box (models/test-sam-tjs,
// test/fixtures/make-sam-tjs-fixture.py), so the frame the box is mapped into, the crop of the
// padding and the candidate chosen all show.
const MODELS = fileURLToPath(new URL('../../models/', import.meta.url));
const manifest = parseManifest(JSON.parse(readFileSync(`${MODELS}manifest.json`, 'utf8')));
const model = manifest.find((m) => m.id === 'test-sam-tjs') as SegmentationModel;
const wasm = { provider: 'wasm', threads: 1, shaderF16: false, reason: 'test' } as const;

// Non-square, and a box off centre.
const [W, H] = [320, 160];
const IMAGE: DisplayedImage = { width: W, height: H, rgba: new Uint8ClampedArray(W * H * 4).fill(90) };
const PROMPTS: Record<string, SegmentPrompt> = {
  box: { points: [], box: { x0: 120, y0: 50, x1: 200, y1: 100 } },
  'box and point': { points: [{ x: 250, y: 120, positive: true }], box: { x0: 30, y0: 20, x1: 110, y1: 70 } },
};

async function ours(prompt: SegmentPrompt, entry: SegmentationModel = model): Promise<Uint8Array> {
  const read = (f: string) => new Uint8Array(readFileSync(`${MODELS}test-sam-tjs/${f}`));
  const session = await SamSession.create(
    entry,
    { encoder: read(entry.encoder.file), decoder: read(entry.decoder.file) },
    wasm,
  );
  try {
    const embedding = await session.encode(IMAGE);
    return (await session.decode(embedding, prompt, W, H)).mask;
  } finally {
    await session.release();
  }
}

async function theirs(prompt: SegmentPrompt): Promise<Uint8Array> {
  env.allowRemoteModels = false;
  env.localModelPath = MODELS;
  const sam = await SamModel.from_pretrained('test-sam-tjs', { dtype: 'fp32' });
  const processor = (await AutoProcessor.from_pretrained('test-sam-tjs')) as SamProcessor;
  const rgb = new Uint8ClampedArray(W * H * 3).fill(90);
  const b = prompt.box!;
  const points = prompt.points.length ? prompt.points.map((p) => [p.x, p.y]) : [[0, 0]];
  const labels = prompt.points.length ? prompt.points.map((p) => (p.positive ? 1 : 0)) : [-10];
  const inputs = await processor(new RawImage(rgb, W, H, 3), {
    input_points: [[points]],
    input_labels: [[labels]],
    input_boxes: [[[b.x0, b.y0, b.x1, b.y1]]],
  });
  const out = await sam(inputs);
  const [masks] = (await processor.post_process_masks(
    out.pred_masks,
    inputs.original_sizes,
    inputs.reshaped_input_sizes,
  )) as Tensor[];
  const scores = out.iou_scores.data as Float32Array;
  const best = scores.indexOf(Math.max(...scores));
  await sam.dispose();
  return (masks!.data as Uint8Array).slice(best * W * H, (best + 1) * W * H);
}

describe('transformers.js’ SAM layout: our engine against transformers.js’ own SamModel pipeline', () => {
  for (const [name, prompt] of Object.entries(PROMPTS)) {
    it(name, async () => {
      const [a, b] = [await ours(prompt), await theirs(prompt)];
      expect(b.reduce((n, v) => n + v, 0)).toBeGreaterThan(1000);
      expect(dice(a, b)).toBeGreaterThanOrEqual(0.99);
    });
  }

  it('fails with the box unscaled or with another candidate chosen', async () => {
    const reference = await theirs(PROMPTS.box!);
    const stretched = {
      ...model,
      preprocessing: { ...model.preprocessing, resize: 'stretch' as const, pad: 'none' as const },
    };
    expect(dice(await ours(PROMPTS.box!, stretched), reference)).toBeLessThan(0.9);
    const first = { ...model, postprocess: { mask: 'low-res-token-0' as const, threshold: 'logits' as const } };
    expect(dice(await ours(PROMPTS.box!, first), reference)).toBeLessThan(0.9);
  });

  it('refuses a prompt without a box, which this export cannot take', async () => {
    await expect(ours({ points: [{ x: 10, y: 10, positive: true }] })).rejects.toThrow(/takes a box with every prompt/);
  });
});
