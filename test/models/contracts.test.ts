import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SegmentationModel } from '../../src/lib/models/manifest';
import { SamSession } from '../../src/lib/models/sam-session';
import { CASES, CONTRACTS, entry, FAMILIES, load, present, queued, run, WASM } from './contract-run';

// The contract fixtures of ../shared/models/contracts (see its README): tiny random-weight models
// exported with each family's own exporter, and golden outputs from each family's own Python
// pipeline. Our preprocessing → session → postprocessing, driven by the manifest entry of the
// real model of that family, must reproduce them; the same run with one contract field wrong
// must not. The helpers are in contract-run.ts.

/** One wrong contract field per family: the "negative twin" that must fail. */
const WRONG: Record<string, (m: SegmentationModel) => SegmentationModel> = {
  'sam-onnx-meta': (m) => ({ ...m, preprocessing: { ...m.preprocessing, normalize: 'min-max' } }),
  medsam: (m) => ({ ...m, preprocessing: { resize: 'longest-side', pad: 'bottom-right', normalize: 'min-max' } }),
  litemedsam: (m) => ({ ...m, prompt: { scale: 'per-axis' } }),
  'samexporter-preprocess': (m) => ({ ...m, prompt: { scale: 'per-axis', padding: 'without-box' } }),
};

describe.runIf(present)('a graph that another contract describes', () => {
  const files = (folder: string) => ({
    encoder: new Uint8Array(readFileSync(`${CONTRACTS}${folder}/encoder.onnx`)),
    decoder: new Uint8Array(readFileSync(`${CONTRACTS}${folder}/decoder.onnx`)),
  });

  it('is refused at load time with the reason, before any mask', async () => {
    await expect(SamSession.create(entry('sam-vit-b'), files('samexporter-preprocess'), WASM)).rejects.toThrow(
      /takes an HWC image .* the manifest describes an NCHW input/,
    );
    await expect(SamSession.create(entry('mobilesam'), files('sam-onnx-meta'), WASM)).rejects.toThrow(
      /takes an NCHW tensor normalised outside; the manifest describes an HWC image/,
    );
    await expect(SamSession.create(entry('sam-vit-b'), files('litemedsam'), WASM)).rejects.toThrow(
      /takes 256×256 inputs; the manifest says 1024×1024/,
    );
    await expect(SamSession.create(entry('litemedsam'), files('medsam'), WASM)).rejects.toThrow(
      /takes 1024×1024 inputs/,
    );
  });
});

describe.runIf(present).each(FAMILIES)('$folder against $model', ({ folder, model, dice: threshold }) => {
  const right = queued(() => run(folder, entry(model)));
  const wrong = queued(() => run(folder, WRONG[folder]!(entry(model))));

  // Tolerances from the fixtures' README: normalised NCHW inputs within 0.005 (stats) and 0.1
  // (samples); samexporter's 0–255 HWC canvas within 0.5 (stats) and 2 (samples, as we
  // reproduce cv2.warpAffine's mapping).
  const hwc = entry(model).preprocessing.layout === 'hwc';
  const [statTolerance, sampleTolerance] = hwc ? [0.5, 2] : [0.005, 0.1];

  it('builds the encoder input the family builds (stats and samples within the measured tolerances, padding 0)', async () => {
    const { golden, mean, std, samples } = await right();
    expect(Math.abs(mean - golden.encoder_input.mean)).toBeLessThan(statTolerance);
    expect(Math.abs(std - golden.encoder_input.std)).toBeLessThan(statTolerance);
    for (const s of samples) {
      if (s.want === 0) expect(s.got, `padding at ${s.at}`).toBe(0);
      else expect(Math.abs(s.got - s.want), `sample at ${s.at}`).toBeLessThanOrEqual(sampleTolerance);
    }
  });

  it('builds exactly the prompt tensors of the golden', async () => {
    for (const [name, c] of Object.entries((await right()).cases)) {
      const [coords, labels] = Object.values(c.want.decoder_inputs) as [number[][][], number[][]];
      expect(Array.from(c.prompt.labels), name).toEqual(labels[0]);
      const flat = coords[0]!.flat();
      expect(c.prompt.coords).toHaveLength(flat.length);
      c.prompt.coords.forEach((v, i) => expect(Math.abs(v - flat[i]!), `${name} coordinate ${i}`).toBeLessThan(1e-3));
    }
  });

  it(`reproduces every golden mask with Dice ≥ ${threshold}`, async () => {
    for (const [name, c] of Object.entries((await right()).cases))
      expect(c.dice, name).toBeGreaterThanOrEqual(threshold);
  });

  it('fails with one contract field wrong (its negative twin)', async () => {
    const { golden, mean, cases } = await wrong();
    const tensorsMatch = Object.values(cases).every((c) => {
      const coords = (Object.values(c.want.decoder_inputs)[0] as number[][][])[0]!.flat();
      return (
        c.prompt.coords.length === coords.length && c.prompt.coords.every((v, i) => Math.abs(v - coords[i]!) < 1e-3)
      );
    });
    const masksMatch = Object.values(cases).every((c) => c.dice >= threshold);
    const inputMatches = Math.abs(mean - golden.encoder_input.mean) < statTolerance;
    expect(tensorsMatch && masksMatch && inputMatches).toBe(false);
  });
});

describe.runIf(present).each([
  { folder: 'sam-onnx-meta', model: 'sam-vit-b' },
  { folder: 'litemedsam', model: 'litemedsam' },
])('$folder: the full-size mask from the low-res logits alone', ({ folder, model }) => {
  // What the engine makes for these entries (masksFromLowRes, the decoder told the image is 1 × 1)
  // must agree with the exported graph's own postprocessing (up to the input size, crop, down to
  // the image): its `masks` output at the image's size, read by the same entry without the flag.
  it('matches the decoder’s own masks output on every golden case', async () => {
    const m = entry(model);
    expect(m.masksFromLowRes).toBe(true);
    const files = {
      encoder: new Uint8Array(readFileSync(`${CONTRACTS}${folder}/encoder.onnx`)),
      decoder: new Uint8Array(readFileSync(`${CONTRACTS}${folder}/decoder.onnx`)),
    };
    const backend = WASM;
    const session = await SamSession.create(m, files, backend);
    const graphMasks = await SamSession.create({ ...m, masksFromLowRes: false }, files, backend);
    try {
      for (const c of Object.values(CASES)) {
        const image = load(folder, c.image);
        const embedding = await session.encode(image);
        const fromLowRes = await session.decode(embedding, c.prompt, image.width, image.height);
        const fromGraph = await graphMasks.decode(embedding, c.prompt, image.width, image.height);
        const differ = fromLowRes.mask.reduce((n, v, i) => n + (v !== fromGraph.mask[i] ? 1 : 0), 0);
        expect(fromGraph.mask.reduce((n, v) => n + v, 0)).toBeGreaterThan(100);
        expect(differ / fromGraph.mask.length).toBeLessThan(1e-4);
        embedding.release();
      }
    } finally {
      await Promise.all([session.release(), graphMasks.release()]);
    }
  });
});
