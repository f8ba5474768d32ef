import type { ImageFrame, ImageSize } from './types';

/**
 * Where the image lies on the canvas the processor was given: the image itself, or a square
 * with the image centred on it (integer offsets, so the worker's padding and the parsers'
 * un-padding are the same pixels).
 */
export function inputCanvas(image: ImageSize, padding: ImageFrame['padding']) {
  if (padding === 'none') return { x: 0, y: 0, width: image.width, height: image.height };
  const side = Math.max(image.width, image.height);
  return {
    x: Math.floor((side - image.width) / 2),
    y: Math.floor((side - image.height) / 2),
    width: side,
    height: side,
  };
}

/** A point given as fractions (0–1 per axis) of the model's input → pixels of the original image. */
export function fromFraction(frame: ImageFrame, fx: number, fy: number): { x: number; y: number } {
  const c = inputCanvas(frame.image, frame.padding);
  return { x: fx * c.width - c.x, y: fy * c.height - c.y };
}

/**
 * A point in pixels of the processor's resized input → pixels of the original image; undefined
 * when the input size is not known (never guessed from a constant).
 */
export function fromInputPixels(frame: ImageFrame, px: number, py: number): { x: number; y: number } | undefined {
  return frame.input && fromFraction(frame, px / frame.input.width, py / frame.input.height);
}
