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

/** Smallest and largest modality value over all frames, each frame through its own rescale. */
export function modalityRange(
  frames: PixelArray[],
  rescale: (frame: number) => { slope: number; intercept: number },
): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  frames.forEach((frame, f) => {
    const stored = sampleRange([frame]);
    const { slope, intercept } = rescale(f);
    const a = stored.min * slope + intercept;
    const b = stored.max * slope + intercept;
    min = Math.min(min, a, b);
    max = Math.max(max, a, b);
  });
  return min <= max ? { min, max } : { min: 0, max: 0 };
}
