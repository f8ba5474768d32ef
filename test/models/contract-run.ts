import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BackendInfo } from '../../src/lib/models/backend';
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
// must not. Shared by the WASM run (contracts.test.ts) and the WebGPU one (contracts-webgpu.test.ts).
export const CONTRACTS = fileURLToPath(new URL('../../../shared/models/contracts/', import.meta.url));
const manifest = parseManifest(
  JSON.parse(readFileSync(new URL('../../models/manifest.json', import.meta.url), 'utf8')),
);
export const entry = (id: string) => manifest.find((m) => m.id === id) as SegmentationModel;

// Prompts of the fixtures (README "Prompts"), in original pixels.
const GREY = { box: { x0: 563, y0: 381, x1: 1011, y1: 1003 }, point: { x: 797, y: 749, positive: true } };
const COLOUR = { box: { x0: 61, y0: 47, x1: 397, y1: 331 }, point: { x: 229, y: 191, positive: true } };
export const CASES: Record<string, { image: string; prompt: SegmentPrompt; mask: string }> = {
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
export const FAMILIES = [
  { folder: 'sam-onnx-meta', model: 'sam-vit-b', dice: 0.994 },
  { folder: 'medsam', model: 'medsam-vit-b', dice: 0.996 },
  { folder: 'litemedsam', model: 'litemedsam', dice: 0.987 },
  { folder: 'samexporter-preprocess', model: 'mobilesam', dice: 0.987 },
];

export function load(folder: string, file: string): DisplayedImage {
  const png = readPng(new Uint8Array(readFileSync(`${CONTRACTS}${folder}/${file}`)));
  const rgba = new Uint8ClampedArray(png.width * png.height * 4);
  for (let i = 0; i < png.width * png.height; i++) {
    for (let c = 0; c < 3; c++) rgba[4 * i + c] = png.data[png.channels === 3 ? 3 * i + c : i]!;
    rgba[4 * i + 3] = 255;
  }
  return { width: png.width, height: png.height, rgba };
}

export interface Golden {
  encoder_input: { mean: number; std: number; values: { index: number[]; value: number }[] };
  cases: Record<string, { decoder_inputs: Record<string, number[][][] | number[][] | number[]> }>;
}

export const WASM: BackendInfo = { provider: 'wasm', threads: 1, shaderF16: false, reason: 'test' };

/** Everything one contract check compares: encoder input stats and samples, prompt tensors, mask Dice per case. */
export async function run(folder: string, model: SegmentationModel, backend: BackendInfo = WASM) {
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
    backend,
  );
  const gpuPreprocessed = session.preprocessesOnGpu;
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
  return { golden, mean, std, samples, cases, gpuPreprocessed };
}

export const present = existsSync(CONTRACTS);
if (!present) console.log(`contracts: skipped, ${CONTRACTS} is absent`);

// One run at a time: ONNX Runtime's single-threaded WASM build runs one session call at a time.
let queue: Promise<unknown> = Promise.resolve();
export function queued<T>(task: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => {
    if (!result) {
      result = queue.then(task, task);
      queue = result.catch(() => undefined);
    }
    return result;
  };
}
