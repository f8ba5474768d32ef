import type { PixelArray } from './types';

/** Smallest and largest stored value over all frames. */
export function sampleRange(frames: PixelArray[]): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const frame of frames) {
    for (let i = 0; i < frame.length; i++) {
      const v = frame[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return min <= max ? { min, max } : { min: 0, max: 0 };
}
