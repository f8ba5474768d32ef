import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseManifest, type SegmentationModel } from '../../src/lib/models/manifest';
import { samEncoderInput, type DisplayedImage } from '../../src/lib/models/sam-preprocess';
import { promptTensors, type SegmentPrompt } from '../../src/lib/models/sam-prompt';
import { SamSession } from '../../src/lib/models/sam-session';
import { readPng } from './png-reader';
import { dice } from './dice';

// The contract fixtures of ../shared/models/contracts (see its README): tiny random-weight models
// exported with each family's own exporter, and golden outputs from each family's own Python
// pipeline. Our preprocessing → session → postprocessing, driven by the manifest entry of the
// real model of that family, must reproduce them; the same run with one contract field wrong
// must not.
const CONTRACTS = fileURLToPath(new URL('../../../shared/models/contracts/', import.meta.url));
const manifest = parseManifest(
  JSON.parse(readFileSync(new URL('../../models/manifest.json', import.meta.url), 'utf8')),
);
const entry = (id: string) => manifest.find((m) => m.id === id) as SegmentationModel;

// Prompts of the fixtures (README "Prompts"), in original pixels.
const GREY = { box: { x0: 563, y0: 381, x1: 1011, y1: 1003 }, point: { x: 797, y: 749, positive: true } };
const COLOUR = { box: { x0: 61, y0: 47, x1: 397, y1: 331 }, point: { x: 229, y: 191, positive: true } };
const CASES: Record<string, { image: string; prompt: SegmentPrompt; mask: string }> = {
  box: { image: 'input.png', prompt: { points: [], box: GREY.box }, mask: 'golden-mask.png' },
  'box+point': {
    image: 'input.png',
    prompt: { points: [GREY.point], box: GREY.box },
    mask: 'golden-mask-box-point.png',
  },
  point: { image: 'input.png', prompt: { points: [GREY.point] }, mask: 'golden-mask-point.png' },
  'color-box': { image: 'input-color.png', prompt: { points: [], box: COLOUR.box }, mask: 'golden-mask-color-box.png' },
};

/** Folder → the manifest entry whose contract it checks, and the Dice threshold its README measured. */
const FAMILIES = [
  { folder: 'sam-onnx-meta', model: 'sam-vit-b', dice: 0.994 },
  { folder: 'medsam', model: 'medsam-vit-b', dice: 0.996 },
  { folder: 'litemedsam', model: 'litemedsam', dice: 0.987 },
  { folder: 'samexporter-preprocess', model: 'mobilesam', dice: 0.987 },
];

/** One wrong contract field per family: the "negative twin" that must fail. */
const WRONG: Record<string, (m: SegmentationModel) => SegmentationModel> = {
  'sam-onnx-meta': (m) => ({ ...m, preprocessing: { ...m.preprocessing, normalize: 'min-max' } }),
  medsam: (m) => ({ ...m, preprocessing: { resize: 'longest-side', pad: 'bottom-right', normalize: 'min-max' } }),
  litemedsam: (m) => ({ ...m, prompt: { scale: 'per-axis' } }),
  'samexporter-preprocess': (m) => ({ ...m, prompt: { scale: 'per-axis', padding: 'without-box' } }),
};

function load(folder: string, file: string): DisplayedImage {
  const png = readPng(new Uint8Array(readFileSync(`${CONTRACTS}${folder}/${file}`)));
  const rgba = new Uint8ClampedArray(png.width * png.height * 4);
  for (let i = 0; i < png.width * png.height; i++) {
    for (let c = 0; c < 3; c++) rgba[4 * i + c] = png.data[png.channels === 3 ? 3 * i + c : i]!;
    rgba[4 * i + 3] = 255;
  }
  return { width: png.width, height: png.height, rgba };
}

interface Golden {
  encoder_input: { mean: number; std: number; values: { index: number[]; value: number }[] };
  cases: Record<string, { decoder_inputs: Record<string, number[][][] | number[][] | number[]> }>;
}

/** Everything one contract check compares: encoder input stats and samples, prompt tensors, mask Dice per case. */
async function run(folder: string, model: SegmentationModel) {
  const golden: Golden = JSON.parse(readFileSync(`${CONTRACTS}${folder}/golden.json`, 'utf8'));
  const grey = load(folder, 'input.png');
  const input = samEncoderInput(grey, model);
  const n = input.length;
  const mean = input.reduce((s, v) => s + v, 0) / n;
  const std = Math.sqrt(input.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
  const size = model.inputSize;
  // NCHW samples are indexed [0, c, y, x]; HWC ones (samexporter's canvas, 1024 wide) [y, x, c].
  const hwc = model.preprocessing.layout === 'hwc';
  const samples = golden.encoder_input.values.map(({ index, value }) => {
    const [c, y, x] = hwc ? [index[2]!, index[0]!, index[1]!] : [index[1]!, index[2]!, index[3]!];
    const at = hwc ? 3 * (y * model.preprocessing.canvas![1] + x) + c : c * size * size + y * size + x;
    return { at: [c, y, x], got: input[at]!, want: value };
  });
  const session = await SamSession.create(
    model,
    {
      encoder: new Uint8Array(readFileSync(`${CONTRACTS}${folder}/encoder.onnx`)),
      decoder: new Uint8Array(readFileSync(`${CONTRACTS}${folder}/decoder.onnx`)),
    },
    { provider: 'wasm', threads: 1, shaderF16: false, reason: 'test' },
  );
  const cases: Record<
    string,
    { prompt: ReturnType<typeof promptTensors>; want: Golden['cases'][string]; dice: number }
  > = {};
  try {
    const embeddings = new Map<string, Awaited<ReturnType<SamSession['encode']>>>();
    for (const [name, want] of Object.entries(golden.cases)) {
      const c = CASES[name]!;
      const image = c.image === 'input.png' ? grey : load(folder, c.image);
      if (!embeddings.has(c.image)) embeddings.set(c.image, await session.encode(image));
      const decoded = await session.decode(embeddings.get(c.image)!, c.prompt, image.width, image.height);
      const mask = readPng(new Uint8Array(readFileSync(`${CONTRACTS}${folder}/${c.mask}`))).data;
      cases[name] = {
        prompt: promptTensors(c.prompt, image.width, image.height, model),
        want,
        dice: dice(decoded.mask, mask),
      };
    }
  } finally {
    await session.release();
  }
  return { golden, mean, std, samples, cases };
}

const present = existsSync(CONTRACTS);
if (!present) console.log(`contracts: skipped, ${CONTRACTS} is absent`);

// One run at a time: ONNX Runtime's single-threaded WASM build runs one session call at a time.
let queue: Promise<unknown> = Promise.resolve();
function queued<T>(task: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => {
    if (!result) {
      result = queue.then(task, task);
      queue = result.catch(() => undefined);
    }
    return result;
  };
}

describe.runIf(present)('a graph that another contract describes', () => {
  const files = (folder: string) => ({
    encoder: new Uint8Array(readFileSync(`${CONTRACTS}${folder}/encoder.onnx`)),
    decoder: new Uint8Array(readFileSync(`${CONTRACTS}${folder}/decoder.onnx`)),
  });
  const wasm = { provider: 'wasm', threads: 1, shaderF16: false, reason: 'test' } as const;

  it('is refused at load time with the reason, before any mask', async () => {
    await expect(SamSession.create(entry('sam-vit-b'), files('samexporter-preprocess'), wasm)).rejects.toThrow(
      /takes an HWC image .* the manifest describes an NCHW input/,
    );
    await expect(SamSession.create(entry('mobilesam'), files('sam-onnx-meta'), wasm)).rejects.toThrow(
      /takes an NCHW tensor normalised outside; the manifest describes an HWC image/,
    );
    await expect(SamSession.create(entry('sam-vit-b'), files('litemedsam'), wasm)).rejects.toThrow(
      /takes 256×256 inputs; the manifest says 1024×1024/,
    );
    await expect(SamSession.create(entry('litemedsam'), files('medsam'), wasm)).rejects.toThrow(
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
    const backend = { provider: 'wasm', threads: 1, shaderF16: false, reason: 'test' } as const;
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
