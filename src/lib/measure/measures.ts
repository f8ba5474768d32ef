import type { DecodedImage } from '../imaging/types';
import { frameRescale } from '../imaging/window';

/** An area, length or volume with its unit and, for mm, which spacing attribute it rests on. */
export interface Quantity {
  value: number;
  unit: 'mm²' | 'px²' | 'mm' | 'px' | 'mL';
  /** 'Pixel Spacing' or 'Imager Pixel Spacing' (at the detector, not corrected for magnification). */
  basis?: string;
}

export interface MaskMeasures {
  pixels: number;
  area: Quantity;
  /** Modality values inside (HU for CT); absent for colour images and empty masks. */
  values?: { mean: number; sd: number; min: number; max: number; unit: string };
}

const spacingOf = (image: DecodedImage) => image.pixelSpacing;

/** Area of a mask (from the pixel spacing; px² where the image has none) and the values inside it. */
export function measureMask(image: DecodedImage, frame: number, mask: ArrayLike<number>): MaskMeasures {
  const samples = image.frames[frame];
  if (!samples) throw new RangeError(`frame ${frame + 1} of ${image.frames.length} does not exist`);
  const { slope, intercept } = frameRescale(image, frame);
  let pixels = 0;
  let sum = 0;
  let sumSquares = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    pixels++;
    if (image.samplesPerPixel !== 1) continue;
    const v = samples[i]! * slope + intercept;
    sum += v;
    sumSquares += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const spacing = spacingOf(image);
  const area: Quantity = spacing
    ? { value: pixels * spacing[0] * spacing[1], unit: 'mm²', basis: image.pixelSpacingSource }
    : { value: pixels, unit: 'px²' };
  if (pixels === 0 || image.samplesPerPixel !== 1) return { pixels, area };
  const mean = sum / pixels;
  return {
    pixels,
    area,
    values: {
      mean,
      sd: Math.sqrt(Math.max(0, sumSquares / pixels - mean * mean)),
      min,
      max,
      unit: image.modality === 'CT' ? 'HU' : '',
    },
  };
}

/** Width and height of a box in image pixels, in mm where the image has a spacing. */
export function boxSize(
  image: DecodedImage,
  box: { x0: number; y0: number; x1: number; y1: number },
): { width: Quantity; height: Quantity } {
  const [w, h] = [Math.abs(box.x1 - box.x0), Math.abs(box.y1 - box.y0)];
  const spacing = spacingOf(image);
  if (!spacing) return { width: { value: w, unit: 'px' }, height: { value: h, unit: 'px' } };
  const basis = image.pixelSpacingSource;
  // Columns are spacing[1] apart along x, rows spacing[0] apart along y.
  return { width: { value: w * spacing[1], unit: 'mm', basis }, height: { value: h * spacing[0], unit: 'mm', basis } };
}

/** Length of a line between two image points. */
export function lineLength(image: DecodedImage, line: { x0: number; y0: number; x1: number; y1: number }): Quantity {
  const spacing = spacingOf(image);
  const [dx, dy] = [line.x1 - line.x0, line.y1 - line.y0];
  if (!spacing) return { value: Math.hypot(dx, dy), unit: 'px' };
  return { value: Math.hypot(dx * spacing[1], dy * spacing[0]), unit: 'mm', basis: image.pixelSpacingSource };
}

/** Volume of a mask drawn on several slices: each slice's area times the slice spacing, in mL. */
export function maskVolume(areas: Quantity[], spacingMm: number): Quantity | undefined {
  if (areas.length === 0 || areas.some((a) => a.unit !== 'mm²')) return undefined;
  const mm3 = areas.reduce((total, a) => total + a.value, 0) * spacingMm;
  return { value: mm3 / 1000, unit: 'mL', basis: areas[0]!.basis };
}

/** A quantity as the overlay list shows it: "1234.5 mm²", "12.3 mL". */
export function formatQuantity(q: Quantity): string {
  const digits = q.value >= 100 ? 0 : q.value >= 10 ? 1 : 2;
  return `${q.value.toFixed(digits)} ${q.unit}`;
}
