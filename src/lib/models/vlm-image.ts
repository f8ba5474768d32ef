import { inputCanvas, type ImageFrame } from '../grounding';
import type { DisplayedImage } from './sam-preprocess';

/**
 * The displayed image as a family's processor is given it: unchanged, or centred on a black
 * square (MedGemma's localisation notebook pads before Gemma 3's processor stretches to 896²).
 * The parsers undo the same `inputCanvas`, so the two cannot disagree.
 */
export function padImage(image: DisplayedImage, padding: ImageFrame['padding']): DisplayedImage {
  const canvas = inputCanvas(image, padding);
  if (canvas.width === image.width && canvas.height === image.height) return image;
  const rgba = new Uint8ClampedArray(canvas.width * canvas.height * 4);
  for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255;
  for (let y = 0; y < image.height; y++) {
    const row = image.rgba.subarray(y * image.width * 4, (y + 1) * image.width * 4);
    rgba.set(row, ((y + canvas.y) * canvas.width + canvas.x) * 4);
  }
  return { width: canvas.width, height: canvas.height, rgba };
}
