import { resizedSize } from './sam-preprocess';

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
 * Point coordinates and labels in the model's input frame. Each axis is scaled by new/old as
 * ResizeLongestSide.apply_coords does. SAM's exported decoder expects a padding point
 * (0, 0, −1) when no box is given (SamPredictor.predict in the ONNX example notebook), and
 * LiteMedSAM's export takes a box as the same two corner points labelled 2 and 3.
 */
export function promptTensors(
  prompt: SegmentPrompt,
  width: number,
  height: number,
  inputSize: number,
): { coords: Float32Array; labels: Float32Array; count: number } {
  const size = resizedSize(width, height, inputSize);
  const sx = size.width / width;
  const sy = size.height / height;
  const coords: number[] = [];
  const labels: number[] = [];
  for (const p of prompt.points) {
    coords.push(p.x * sx, p.y * sy);
    labels.push(p.positive ? LABEL.positive : LABEL.negative);
  }
  if (prompt.box) {
    const { x0, y0, x1, y1 } = prompt.box;
    coords.push(Math.min(x0, x1) * sx, Math.min(y0, y1) * sy, Math.max(x0, x1) * sx, Math.max(y0, y1) * sy);
    labels.push(LABEL.boxTopLeft, LABEL.boxBottomRight);
  } else {
    coords.push(0, 0);
    labels.push(LABEL.padding);
  }
  return { coords: new Float32Array(coords), labels: new Float32Array(labels), count: labels.length };
}

/** Mask logits at image size → 0/1 per pixel (SAM's mask_threshold is 0.0). */
export function binaryMask(logits: Float32Array): Uint8Array {
  const mask = new Uint8Array(logits.length);
  for (let i = 0; i < logits.length; i++) mask[i] = logits[i]! > 0 ? 1 : 0;
  return mask;
}
