import type { SegmentationModel } from './manifest';

/** The image as the user sees it: windowed RGBA at image resolution (see imaging/window.ts). */
export interface DisplayedImage {
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
}

/** ImageNet statistics on 0…255, from segment_anything/modeling/sam.py (pixel_mean, pixel_std). */
export const IMAGENET_MEAN = [123.675, 116.28, 103.53];
export const IMAGENET_STD = [58.395, 57.12, 57.375];

/**
 * Size after ResizeLongestSide (segment_anything/utils/transforms.py get_preprocess_shape):
 * scale = S / max(h, w); each side int(side · scale + 0.5). LiteMedSAM's resize_longest_side
 * (CVPR24_LiteMedSamOnnx_infer.py) computes the same.
 */
export function resizedSize(width: number, height: number, target: number): { width: number; height: number } {
  const scale = target / Math.max(width, height);
  return { width: Math.floor(width * scale + 0.5), height: Math.floor(height * scale + 0.5) };
}

/**
 * Resamples RGB to (w, h): averaging every source pixel a target pixel covers when shrinking
 * (like OpenCV's INTER_AREA, which LiteMedSAM uses, and PIL's antialiased resize, which SAM
 * uses), bilinear when enlarging. Returns interleaved RGB floats on 0…255.
 */
export function resizeRgb(image: DisplayedImage, w: number, h: number): Float32Array {
  return shrinks(image, w, h) ? areaResize(image, w, h) : bilinearResize(image, w, h);
}

/** Whether resizing to (w, h) averages areas (no side grows) rather than interpolating. */
export function shrinks(image: { width: number; height: number }, w: number, h: number): boolean {
  return image.width >= w && image.height >= h;
}

function areaResize(image: DisplayedImage, w: number, h: number): Float32Array {
  const out = new Float32Array(w * h * 3);
  const sx = image.width / w;
  const sy = image.height / h;
  const src = image.rgba;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = 3 * (y * w + x);
      const x0 = x * sx;
      const x1 = x0 + sx;
      const y0 = y * sy;
      const y1 = y0 + sy;
      let r = 0;
      let g = 0;
      let b = 0;
      let area = 0;
      // min(): y1 can exceed the height by a rounding error, and that row does not exist.
      for (let py = Math.floor(y0); py < Math.min(Math.ceil(y1), image.height); py++) {
        const wy = Math.min(py + 1, y1) - Math.max(py, y0);
        for (let px = Math.floor(x0); px < Math.min(Math.ceil(x1), image.width); px++) {
          const wgt = wy * (Math.min(px + 1, x1) - Math.max(px, x0));
          const i = 4 * (py * image.width + px);
          r += src[i]! * wgt;
          g += src[i + 1]! * wgt;
          b += src[i + 2]! * wgt;
          area += wgt;
        }
      }
      out[o] = r / area;
      out[o + 1] = g / area;
      out[o + 2] = b / area;
    }
  }
  return out;
}

/** Half-pixel-centred bilinear; each column's source pixels and weight are worked out once. */
function bilinearResize(image: DisplayedImage, w: number, h: number): Float32Array {
  const out = new Float32Array(w * h * 3);
  const sx = image.width / w;
  const sy = image.height / h;
  const src = image.rgba;
  const left = new Int32Array(w);
  const right = new Int32Array(w);
  const weight = new Float64Array(w);
  for (let x = 0; x < w; x++) {
    const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), image.width - 1);
    const x0 = Math.floor(fx);
    left[x] = 4 * x0;
    right[x] = 4 * Math.min(x0 + 1, image.width - 1);
    weight[x] = fx - x0;
  }
  for (let y = 0; y < h; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), image.height - 1);
    const y0 = Math.floor(fy);
    const top = 4 * image.width * y0;
    const bottom = 4 * image.width * Math.min(y0 + 1, image.height - 1);
    const ay = fy - y0;
    for (let x = 0; x < w; x++) {
      const ax = weight[x]!;
      const o = 3 * (y * w + x);
      for (let c = 0; c < 3; c++) {
        const upper = src[top + left[x]! + c]! * (1 - ax) + src[top + right[x]! + c]! * ax;
        const lower = src[bottom + left[x]! + c]! * (1 - ax) + src[bottom + right[x]! + c]! * ax;
        out[o + c] = upper * (1 - ay) + lower * ay;
      }
    }
  }
  return out;
}

/** The image's size in the model input frame: longest side to S, stretched to S × S, or fitted into the canvas. */
export function inputFrameSize(
  width: number,
  height: number,
  model: Pick<SegmentationModel, 'inputSize' | 'preprocessing'>,
): { width: number; height: number } {
  const size = model.inputSize;
  const pre = model.preprocessing;
  if (pre.resize === 'stretch') return { width: size, height: size };
  if (pre.resize === 'canvas') {
    const scale = canvasScale(width, height, pre.canvas!);
    return { width: width * scale, height: height * scale };
  }
  return resizedSize(width, height, size);
}

/** samexporter's fit into its canvas (sam_onnx.py): scale = min(canvas W / W, canvas H / H). */
export function canvasScale(width: number, height: number, [canvasHeight, canvasWidth]: [number, number]): number {
  return Math.min(canvasWidth / width, canvasHeight / height);
}

/** The encoder input tensor's shape under the model's contract. */
export function encoderInputDims(model: Pick<SegmentationModel, 'inputSize' | 'preprocessing'>): number[] {
  const pre = model.preprocessing;
  if (pre.layout === 'hwc') return [pre.canvas![0], pre.canvas![1], 3];
  return [1, 3, model.inputSize, model.inputSize];
}

/**
 * samexporter's input (sam_onnx.py): the image warped into the fixed canvas, top-left, with
 * cv2.warpAffine's INTER_LINEAR (dst (x, y) samples src (x/s, y/s): pixel indices, no half-pixel
 * shift; outside the image counts as 0), HWC, 0–255, in the channel order the contract says.
 */
function canvasInput(image: DisplayedImage, model: Pick<SegmentationModel, 'preprocessing'>): Float32Array {
  const [ch, cw] = model.preprocessing.canvas!;
  const s = canvasScale(image.width, image.height, [ch, cw]);
  const order = model.preprocessing.channels === 'bgr' ? [2, 1, 0] : [0, 1, 2];
  const out = new Float32Array(ch * cw * 3);
  const src = image.rgba;
  const at = (x: number, y: number, c: number) =>
    x >= 0 && y >= 0 && x < image.width && y < image.height ? src[4 * (y * image.width + x) + c]! : 0;
  for (let y = 0; y < ch; y++) {
    const fy = y / s;
    const y0 = Math.floor(fy);
    const ay = fy - y0;
    if (y0 >= image.height) break;
    for (let x = 0; x < cw; x++) {
      const fx = x / s;
      const x0 = Math.floor(fx);
      if (x0 >= image.width) break;
      const ax = fx - x0;
      for (let k = 0; k < 3; k++) {
        const c = order[k]!;
        const v =
          (at(x0, y0, c) * (1 - ax) + at(x0 + 1, y0, c) * ax) * (1 - ay) +
          (at(x0, y0 + 1, c) * (1 - ax) + at(x0 + 1, y0 + 1, c) * ax) * ay;
        out[3 * (y * cw + x) + k] = Math.round(v); // cv2 returns uint8 for uint8 input
      }
    }
  }
  return out;
}

/**
 * Encoder input [1, 3, S, S]: resize (longest side to S, or both sides to S), normalise, pad
 * bottom/right with 0. ImageNet: (v − mean) / std per channel (SAM, MobileSAM). Min-max:
 * (v − min) / (max − min) over the resized image, all channels together (MedSAM_Inference.py,
 * LiteMedSAM).
 */
export function samEncoderInput(
  image: DisplayedImage,
  model: Pick<SegmentationModel, 'inputSize' | 'preprocessing'>,
): Float32Array {
  if (model.preprocessing.resize === 'canvas') return canvasInput(image, model);
  const size = model.inputSize;
  const { width: w, height: h } = inputFrameSize(image.width, image.height, model);
  const rgb = resizeRgb(image, w, h);
  const out = new Float32Array(3 * size * size);
  // Per channel: (v − offset) / divisor.
  let offsets = IMAGENET_MEAN;
  let divisors = IMAGENET_STD;
  if (model.preprocessing.normalize === 'min-max') {
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < rgb.length; i++) {
      const v = rgb[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const range = Math.max(max - min, 1e-8);
    offsets = [min, min, min];
    divisors = [range, range, range];
  }
  for (let c = 0; c < 3; c++) {
    const offset = offsets[c]!;
    const divisor = divisors[c]!;
    const plane = c * size * size;
    for (let y = 0; y < h; y++) {
      const row = plane + y * size;
      for (let x = 0, i = 3 * y * w + c; x < w; x++, i += 3) out[row + x] = (rgb[i]! - offset) / divisor;
    }
  }
  return out;
}
