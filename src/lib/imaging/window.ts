import type { DecodedImage, VoiFunction, WindowLevel } from './types';

/** Common CT windows in HU (Radiopaedia, "Windowing (CT)"). */
export const WINDOW_PRESETS = {
  lung: { center: -600, width: 1500 },
  'soft tissue': { center: 40, width: 400 },
  bone: { center: 400, width: 1800 },
  brain: { center: 40, width: 80 },
} satisfies Record<string, WindowLevel>;
export type WindowPreset = keyof typeof WINDOW_PRESETS;

/**
 * The file's window, else one spanning the whole value range; 8-bit colour shows as stored,
 * deeper colour (16/32-bit RGB) is scaled over its range, a binary image (a SEG frame) shows
 * 0 as black and 1 as white.
 */
export function defaultWindow(image: DecodedImage, frame = 0): WindowLevel {
  // Centre 128, width 256 makes LINEAR the identity on 0…255 (C.11.2.1.2.1).
  if (image.samplesPerPixel === 3 && image.frames[0] instanceof Uint8Array) return { center: 128, width: 256 };
  const window = image.perFrame?.[frame]?.window ?? image.window;
  if (window && image.samplesPerPixel === 1) return window;
  const { min, max } = image.range;
  // Width 1 puts the LINEAR step between the two values (C.11.2.1.2.1).
  if (max - min === 1) return { center: min + 0.5, width: 1 };
  return { center: (min + max) / 2, width: Math.max(1, max - min + 1) };
}

/** Rescale Slope/Intercept of one frame: its own (enhanced multi-frame) or the image's. */
export function frameRescale(image: DecodedImage, frame: number): { slope: number; intercept: number } {
  return image.perFrame?.[frame]?.rescale ?? image.rescale;
}

/** Output 0…255 for a modality value, per PS3.3 C.11.2.1.2 (LINEAR, LINEAR_EXACT, SIGMOID). */
export function voiTransform(fn: VoiFunction, { center: c, width: w }: WindowLevel): (x: number) => number {
  if (fn === 'SIGMOID') return (x) => 255 / (1 + Math.exp((-4 * (x - c)) / w));
  if (fn === 'LINEAR_EXACT') {
    return (x) => (x <= c - w / 2 ? 0 : x > c + w / 2 ? 255 : ((x - c) / w + 0.5) * 255);
  }
  // LINEAR: width ≥ 1 and the -0.5 / -1 terms of C.11.2.1.2.1.
  const w1 = Math.max(w, 1) - 1;
  const lo = c - 0.5 - w1 / 2;
  const hi = c - 0.5 + w1 / 2;
  return (x) => (x <= lo ? 0 : x > hi ? 255 : w1 === 0 ? 255 : ((x - (c - 0.5)) / w1 + 0.5) * 255);
}

export interface DisplaySettings {
  window: WindowLevel;
  invert: boolean;
}

/**
 * Renders one frame to RGBA for a canvas: Rescale Slope/Intercept, then the VOI function,
 * then MONOCHROME1/user inversion. Integer greyscale goes through a lookup table over the
 * stored range so a 16-bit CT slice costs one table read per pixel.
 */
export function renderFrame(
  image: DecodedImage,
  frame: number,
  display: DisplaySettings,
  out?: Uint8ClampedArray,
): Uint8ClampedArray {
  const samples = image.frames[frame];
  if (!samples) throw new RangeError(`frame ${frame + 1} of ${image.frames.length} does not exist`);
  const pixels = image.width * image.height;
  const rgba = out ?? new Uint8ClampedArray(pixels * 4);
  const voi = voiTransform(image.voiFunction, display.window);
  const flip = display.invert !== image.invert;
  const shade = (v: number) => Math.round(flip ? 255 - v : v);

  if (image.samplesPerPixel === 3) {
    // A table over every possible value for 8 and 16 bits; 32-bit samples are computed each.
    const size = samples instanceof Uint8Array ? 256 : samples instanceof Uint16Array ? 65536 : 0;
    const lut = new Uint8ClampedArray(size);
    for (let v = 0; v < size; v++) lut[v] = shade(voi(v));
    const grey = size > 0 ? (v: number) => lut[v]! : (v: number) => shade(voi(v));
    for (let i = 0, o = 0; i < pixels * 3; i += 3, o += 4) {
      rgba[o] = grey(samples[i]!);
      rgba[o + 1] = grey(samples[i + 1]!);
      rgba[o + 2] = grey(samples[i + 2]!);
      rgba[o + 3] = 255;
    }
    return rgba;
  }

  const { slope, intercept } = frameRescale(image, frame);
  const toGrey = (stored: number) => shade(voi(stored * slope + intercept));
  const min = (image.range.min - intercept) / slope;
  const max = (image.range.max - intercept) / slope;
  const lo = Math.floor(Math.min(min, max));
  const span = Math.ceil(Math.max(min, max)) - lo + 1;
  const integer = !(samples instanceof Float32Array);
  if (integer && span <= 1 << 20) {
    const lut = new Uint8ClampedArray(span);
    for (let k = 0; k < span; k++) lut[k] = toGrey(lo + k);
    for (let i = 0, o = 0; i < pixels; i++, o += 4) {
      const g = lut[samples[i]! - lo]!;
      rgba[o] = rgba[o + 1] = rgba[o + 2] = g;
      rgba[o + 3] = 255;
    }
  } else {
    for (let i = 0, o = 0; i < pixels; i++, o += 4) {
      const g = toGrey(samples[i]!);
      rgba[o] = rgba[o + 1] = rgba[o + 2] = g;
      rgba[o + 3] = 255;
    }
  }
  return rgba;
}

/** Modality value under an image pixel, for the readout (greyscale only). */
export function modalityValue(image: DecodedImage, frame: number, x: number, y: number): number | undefined {
  if (x < 0 || y < 0 || x >= image.width || y >= image.height) return undefined;
  const samples = image.frames[frame];
  if (!samples) return undefined;
  const i = Math.floor(y) * image.width + Math.floor(x);
  if (image.samplesPerPixel === 3) return undefined;
  const { slope, intercept } = frameRescale(image, frame);
  return samples[i]! * slope + intercept;
}
