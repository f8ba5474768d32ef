import type { SegmentationModel } from './manifest';
import { inputFrameSize } from './sam-preprocess';

/** A prompt in image pixel coordinates (continuous: the pixel (i, j) spans [i, i+1) × [j, j+1)). */
export interface SegmentPrompt {
  points: { x: number; y: number; positive: boolean }[];
  box?: { x0: number; y0: number; x1: number; y1: number };
}

/** Label values of the SAM ONNX prompt encoder (segment_anything/utils/onnx.py _embed_points). */
const LABEL = { negative: 0, positive: 1, boxTopLeft: 2, boxBottomRight: 3, padding: -1 } as const;

export function isEmptyPrompt(prompt: SegmentPrompt): boolean {
  return prompt.points.length === 0 && !prompt.box;
}

/**
 * Point coordinates and labels in the model's input frame, as the model's contract says: each
 * axis scaled by new/old (ResizeLongestSide.apply_coords; MedSAM's box / [W,H,W,H] · 1024 for a
 * stretched input), or int(v · S / max(W, H)) (LiteMedSAM's CVPR24 script). SAM's exported
 * decoder expects a padding point (0, 0, −1) when no box is given (SamPredictor.predict in the
 * ONNX example notebook), and LiteMedSAM's export takes a box as the same two corner points
 * labelled 2 and 3.
 */
export function promptTensors(
  prompt: SegmentPrompt,
  width: number,
  height: number,
  model: Pick<SegmentationModel, 'inputSize' | 'preprocessing' | 'prompt'>,
): { coords: Float32Array; labels: Float32Array; count: number } {
  // samexporter's pipeline appends the padding row after a box too (sam_onnx.py).
  const frame = inputFrameSize(width, height, model);
  const truncate = model.prompt?.scale === 'longest-side-truncated';
  const factor = model.inputSize / Math.max(width, height);
  const sx = (v: number) => (truncate ? Math.trunc(v * factor) : (v * frame.width) / width);
  const sy = (v: number) => (truncate ? Math.trunc(v * factor) : (v * frame.height) / height);
  const coords: number[] = [];
  const labels: number[] = [];
  for (const p of prompt.points) {
    coords.push(sx(p.x), sy(p.y));
    labels.push(p.positive ? LABEL.positive : LABEL.negative);
  }
  if (prompt.box) {
    const { x0, y0, x1, y1 } = prompt.box;
    coords.push(sx(Math.min(x0, x1)), sy(Math.min(y0, y1)), sx(Math.max(x0, x1)), sy(Math.max(y0, y1)));
    labels.push(LABEL.boxTopLeft, LABEL.boxBottomRight);
  }
  if (!prompt.box || model.prompt?.padding === 'always') {
    coords.push(0, 0);
    labels.push(LABEL.padding);
  }
  return { coords: new Float32Array(coords), labels: new Float32Array(labels), count: labels.length };
}

/**
 * transformers.js' SAM layout (SamProcessor.reshape_input_points, models/sam/modeling_sam.js):
 * points [1, 1, N, 2] with int64 labels (1 include, 0 exclude) and the box [1, 1, 4] on its own,
 * each axis scaled by resized/original. A prompt without points gets one padding point, label
 * −10, which SAM's prompt encoder ignores (transformers' SamPromptEncoder).
 */
export function pointsAndBox(
  prompt: SegmentPrompt,
  width: number,
  height: number,
  model: Pick<SegmentationModel, 'inputSize' | 'preprocessing'>,
): { points: Float32Array; labels: BigInt64Array; count: number; box?: Float32Array } {
  const frame = inputFrameSize(width, height, model);
  const [sx, sy] = [frame.width / width, frame.height / height];
  const given = prompt.points.length ? prompt.points : [{ x: 0, y: 0, positive: false }];
  const points = given.flatMap((p) => [p.x * sx, p.y * sy]);
  const labels = prompt.points.length ? prompt.points.map((p) => (p.positive ? 1n : 0n)) : [-10n];
  const b = prompt.box;
  const box = b && [
    Math.min(b.x0, b.x1) * sx,
    Math.min(b.y0, b.y1) * sy,
    Math.max(b.x0, b.x1) * sx,
    Math.max(b.y0, b.y1) * sy,
  ];
  return {
    points: new Float32Array(points),
    labels: BigInt64Array.from(labels),
    count: labels.length,
    ...(box ? { box: new Float32Array(box) } : {}),
  };
}

/** A decoder input as plain data, for whichever ONNX Runtime build makes the tensor. */
export interface InputData {
  type: 'float32' | 'int64';
  data: Float32Array | BigInt64Array;
  dims: number[];
}

/**
 * The size the decoder is told the image has (its orig_im_size, the size of its `masks` output):
 * the image; samexporter's fixed canvas; or 1 × 1 where the mask is made here from the low-res
 * logits (masksFromLowRes): those do not depend on it, and the graph's own bilinear upsampling to
 * the image, otherwise computed and never used, is a 60 MB float mask for a 4300 × 3500
 * mammogram (on WASM 80 of a SAM ViT-B decoder's 180 ms a prompt there).
 */
export function decoderFrame(
  model: Pick<SegmentationModel, 'preprocessing' | 'masksFromLowRes'>,
  width: number,
  height: number,
): { width: number; height: number } {
  if (model.masksFromLowRes) return { width: 1, height: 1 };
  const canvas = model.preprocessing.resize === 'canvas' ? model.preprocessing.canvas! : undefined;
  return canvas ? { width: canvas[1], height: canvas[0] } : { width, height };
}

/**
 * A prompt's decoder inputs under the model's contract, all but the image embeddings: SamOnnxModel's
 * and LiteMedSAM's corner points, image size and previous mask (`maskSide`² logits, used when
 * `previous` has that size), or transformers.js' points, int64 labels and separate box (which its
 * export requires: a prompt without one is refused).
 */
export function decoderInputs(
  model: Pick<
    SegmentationModel,
    'name' | 'family' | 'inputSize' | 'preprocessing' | 'prompt' | 'decoder' | 'masksFromLowRes'
  >,
  prompt: SegmentPrompt,
  width: number,
  height: number,
  maskSide: number,
  previous?: Float32Array,
): Record<string, InputData> {
  const d = model.decoder;
  if (model.family === 'transformers-sam') {
    const { points, labels, count, box } = pointsAndBox(prompt, width, height, model);
    if (!box) throw new Error(`${model.name} takes a box with every prompt: draw one first`);
    return {
      [d.pointCoords]: { type: 'float32', data: points, dims: [1, 1, count, 2] },
      [d.pointLabels]: { type: 'int64', data: labels, dims: [1, 1, count] },
      [d.boxes!]: { type: 'float32', data: box, dims: [1, 1, 4] },
    };
  }
  const { coords, labels, count } = promptTensors(prompt, width, height, model);
  const frame = decoderFrame(model, width, height);
  const inputs: Record<string, InputData> = {
    [d.pointCoords]: { type: 'float32', data: coords, dims: [1, count, 2] },
    [d.pointLabels]: { type: 'float32', data: labels, dims: [1, count] },
    [d.origSize!]:
      d.origSizeType === 'int64'
        ? { type: 'int64', data: BigInt64Array.from([BigInt(frame.height), BigInt(frame.width)]), dims: [2] }
        : { type: 'float32', data: Float32Array.from([frame.height, frame.width]), dims: [2] },
  };
  if (d.maskInput && d.hasMaskInput) {
    const ok = previous?.length === maskSide * maskSide;
    const mask = ok ? previous : new Float32Array(maskSide * maskSide);
    inputs[d.maskInput] = { type: 'float32', data: mask, dims: [1, 1, maskSide, maskSide] };
    inputs[d.hasMaskInput] = { type: 'float32', data: Float32Array.from([ok ? 1 : 0]), dims: [1] };
  }
  return inputs;
}

/** Mask logits at image size → 0/1 per pixel (SAM's mask_threshold is 0.0). */
export function binaryMask(logits: Float32Array): Uint8Array {
  const mask = new Uint8Array(logits.length);
  for (let i = 0; i < logits.length; i++) mask[i] = logits[i]! > 0 ? 1 : 0;
  return mask;
}

/**
 * samexporter's way back from its canvas (sam_onnx.py): the canvas logits warped to H × W with
 * cv2.warpAffine INTER_LINEAR (original pixel (x, y) samples canvas (x·s, y·s), indices, no
 * half-pixel shift), then > 0.
 */
export function canvasMask(
  logits: Float32Array,
  [canvasHeight, canvasWidth]: [number, number],
  scale: number,
  width: number,
  height: number,
): Uint8Array {
  const mask = new Uint8Array(width * height);
  const at = (x: number, y: number) => (x < canvasWidth && y < canvasHeight ? logits[y * canvasWidth + x]! : 0);
  for (let y = 0; y < height; y++) {
    const fy = y * scale;
    const y0 = Math.floor(fy);
    const ay = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = x * scale;
      const x0 = Math.floor(fx);
      const ax = fx - x0;
      const v =
        (at(x0, y0) * (1 - ax) + at(x0 + 1, y0) * ax) * (1 - ay) +
        (at(x0, y0 + 1) * (1 - ax) + at(x0 + 1, y0 + 1) * ax) * ay;
      mask[y * width + x] = v > 0 ? 1 : 0;
    }
  }
  return mask;
}

/**
 * MedSAM's postprocessing (MedSAM_Inference.py medsam_inference): sigmoid of the low-res logits
 * (side × side), bilinear straight to H × W (align_corners=False: half-pixel centres), > 0.5.
 */
export function lowResMask(
  logits: Float32Array,
  side: number,
  width: number,
  height: number,
  threshold: 'logits' | 'sigmoid',
): Uint8Array {
  const probability = threshold === 'sigmoid' ? logits.map((v) => 1 / (1 + Math.exp(-v))) : logits;
  const cut = threshold === 'sigmoid' ? 0.5 : 0;
  const mask = new Uint8Array(width * height);
  const [sx, sy] = [side / width, side / height];
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), side - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, side - 1);
    const ay = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), side - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, side - 1);
      const ax = fx - x0;
      const p = (px: number, py: number) => probability[py * side + px]!;
      const v = (p(x0, y0) * (1 - ax) + p(x1, y0) * ax) * (1 - ay) + (p(x0, y1) * (1 - ax) + p(x1, y1) * ax) * ay;
      mask[y * width + x] = v > cut ? 1 : 0;
    }
  }
  return mask;
}

/** torch's bilinear sampling (align_corners=False) from `from` samples to `to`: two taps per output. */
function bilinearTaps(to: number, from: number): [i0: number, i1: number, w1: number][] {
  return Array.from({ length: to }, (_, d) => {
    const src = Math.max((d + 0.5) * (from / to) - 0.5, 0);
    const i0 = Math.min(Math.floor(src), from - 1);
    const i1 = Math.min(i0 + 1, from - 1);
    return [i0, i1, src - i0];
  });
}

/**
 * Per output index along one axis, the four low-res indices and weights of SAM's postprocessing:
 * bilinear from `side` to the model input `size`, keep the first `kept` (the resized image
 * before padding), bilinear to `out` (segment_anything/utils/onnx.py mask_postprocessing).
 */
function composedTaps(out: number, kept: number, size: number, side: number) {
  const up = bilinearTaps(size, side);
  const index = new Int32Array(4 * out);
  const weight = new Float32Array(4 * out);
  bilinearTaps(out, kept).forEach(([c0, c1, w], o) => {
    const [a0, a1, aw] = up[c0]!;
    const [b0, b1, bw] = up[c1]!;
    index.set([a0, a1, b0, b1], 4 * o);
    weight.set([(1 - w) * (1 - aw), (1 - w) * aw, w * (1 - bw), w * bw], 4 * o);
  });
  return { index, weight };
}

/**
 * The full-size mask from SAM's low-res logits (side², the padded model input's frame), as the
 * exported decoder's own `masks` output makes it: up to the input size, crop the padding, down
 * to the image, logits > 0. Separable: a horizontal pass per low-res row, then a vertical one.
 */
export function paddedLowResMask(
  logits: Float32Array,
  side: number,
  resized: { width: number; height: number },
  inputSize: number,
  width: number,
  height: number,
): Uint8Array {
  const cols = composedTaps(width, resized.width, inputSize, side);
  const rows = composedTaps(height, resized.height, inputSize, side);
  const horizontal = new Float32Array(side * width);
  const { index: j, weight: w } = cols;
  for (let i = 0; i < side; i++) {
    const row = i * side;
    for (let x = 0, t = 0; x < width; x++, t += 4) {
      horizontal[i * width + x] =
        w[t]! * logits[row + j[t]!]! +
        w[t + 1]! * logits[row + j[t + 1]!]! +
        w[t + 2]! * logits[row + j[t + 2]!]! +
        w[t + 3]! * logits[row + j[t + 3]!]!;
    }
  }
  const mask = new Uint8Array(width * height);
  const { index: ri, weight: rw } = rows;
  const settled = new Uint8Array(width);
  const mixed = new Int32Array(width);
  for (let y = 0; y < height;) {
    const t = 4 * y;
    const r0 = ri[t]! * width;
    const r1 = ri[t + 1]! * width;
    const r2 = ri[t + 2]! * width;
    const r3 = ri[t + 3]! * width;
    // The run of output rows blended from these same four source rows.
    let end = y + 1;
    while (
      end < height &&
      ri[4 * end] === ri[t] &&
      ri[4 * end + 1] === ri[t + 1] &&
      ri[4 * end + 2] === ri[t + 2] &&
      ri[4 * end + 3] === ri[t + 3]
    ) {
      end++;
    }
    // In a run (an image larger than the model input), the weights being non-negative, wherever
    // the four sources agree in sign every blend has that sign: those pixels are worked out once
    // and copied, and only the columns where the sources disagree (the mask's edge) are blended
    // per row. The same mask as blending every pixel; a 4300 × 3500 one in a third of the time.
    let count = width;
    if (end - y > 2) {
      count = 0;
      for (let x = 0; x < width; x++) {
        const a = horizontal[r0 + x]! > 0;
        const b = horizontal[r1 + x]! > 0;
        const c = horizontal[r2 + x]! > 0;
        const d = horizontal[r3 + x]! > 0;
        settled[x] = a && b && c && d ? 1 : 0;
        if (!settled[x] && (a || b || c || d)) mixed[count++] = x;
      }
      if (count > width / 2) count = width; // mostly edge (noise): blend every pixel
    }
    const sparse = count < width;
    for (; y < end; y++) {
      const w0 = rw[4 * y]!;
      const w1 = rw[4 * y + 1]!;
      const w2 = rw[4 * y + 2]!;
      const w3 = rw[4 * y + 3]!;
      if (sparse) mask.set(settled, y * width);
      for (let i = 0; i < count; i++) {
        const x = sparse ? mixed[i]! : i;
        const v =
          w0 * horizontal[r0 + x]! + w1 * horizontal[r1 + x]! + w2 * horizontal[r2 + x]! + w3 * horizontal[r3 + x]!;
        mask[y * width + x] = v > 0 ? 1 : 0;
      }
    }
  }
  return mask;
}
