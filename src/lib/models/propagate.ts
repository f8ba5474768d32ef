import type { SegmentPrompt } from './sam-prompt';

/** One slice's segmentation, as any engine returns it. */
export interface SliceMask {
  width: number;
  height: number;
  mask: Uint8Array;
  /** The model's predicted IoU (NaN where it has none). */
  iou: number;
  /** Low-resolution logits, for models that take the previous mask as mask_input. */
  lowRes?: Float32Array;
}

export type StopReason = 'end of series' | 'mask vanished' | 'low predicted IoU' | 'area jumped' | 'stopped';

export interface PropagationLimits {
  /** The next prompt is the previous mask's bounding box grown by this fraction of its size on every side (and at least 2 px). */
  margin: number;
  /** Stop a direction when the predicted IoU falls below this. */
  minIou: number;
  /** Stop a direction when the area grows or shrinks by more than this factor between neighbours. */
  maxAreaRatio: number;
}

export const DEFAULT_LIMITS: PropagationLimits = { margin: 0.1, minIou: 0.5, maxAreaRatio: 2.5 };

export interface PropagationRun {
  /** Slices in the stack; the seed is at `start`. */
  count: number;
  start: number;
  seed: SliceMask;
  limits?: PropagationLimits;
  /** Segments slice `index` with `prompt`, given the previous slice's result (for its mask_input). */
  segment(index: number, prompt: SegmentPrompt, previous: SliceMask): Promise<SliceMask>;
  /** Each slice's mask as soon as it is computed. */
  onSlice(index: number, result: SliceMask, prompt: SegmentPrompt): void;
  /** Checked before each slice: true stops both directions. */
  cancelled(): boolean;
}

function bounds(m: SliceMask): { x0: number; y0: number; x1: number; y1: number; area: number } | undefined {
  let [x0, y0, x1, y1, area] = [m.width, m.height, -1, -1, 0];
  for (let y = 0; y < m.height; y++) {
    for (let x = 0; x < m.width; x++) {
      if (!m.mask[y * m.width + x]) continue;
      area++;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return area === 0 ? undefined : { x0, y0, x1: x1 + 1, y1: y1 + 1, area };
}

/**
 * Carries a mask from one slice through a series, slice by slice in both directions: each
 * next slice is prompted with the previous mask's bounding box grown by a margin (and, where
 * the engine takes one, the previous low-res mask). A direction stops at the end of the series,
 * when the mask vanishes, when the predicted IoU drops below the limit, or when the area jumps
 * beyond the bound; everything stops when cancelled. Independent of the engine: `segment` is
 * any SAM-family decoder (or a model with memory across frames).
 */
export async function propagate(run: PropagationRun): Promise<{ up: StopReason; down: StopReason; visited: number[] }> {
  const limits = run.limits ?? DEFAULT_LIMITS;
  const visited: number[] = [];
  const stops: StopReason[] = [];
  for (const step of [1, -1]) {
    let previous = run.seed;
    let stop: StopReason = 'end of series';
    for (let index = run.start + step; index >= 0 && index < run.count; index += step) {
      if (run.cancelled()) {
        stop = 'stopped';
        break;
      }
      const last = bounds(previous);
      if (!last) {
        stop = 'mask vanished';
        break;
      }
      const grow = (size: number) => Math.max(2, limits.margin * size);
      const [gx, gy] = [grow(last.x1 - last.x0), grow(last.y1 - last.y0)];
      const prompt: SegmentPrompt = {
        points: [],
        box: {
          x0: Math.max(0, last.x0 - gx),
          y0: Math.max(0, last.y0 - gy),
          x1: Math.min(previous.width, last.x1 + gx),
          y1: Math.min(previous.height, last.y1 + gy),
        },
      };
      const result = await run.segment(index, prompt, previous);
      const now = bounds(result);
      if (!now) {
        stop = 'mask vanished';
        break;
      }
      if (result.iou < limits.minIou) {
        stop = 'low predicted IoU';
        break;
      }
      const ratio = now.area / last.area;
      if (ratio > limits.maxAreaRatio || ratio < 1 / limits.maxAreaRatio) {
        stop = 'area jumped';
        break;
      }
      run.onSlice(index, result, prompt);
      visited.push(index);
      previous = result;
    }
    stops.push(run.cancelled() ? 'stopped' : stop);
  }
  return { up: stops[0]!, down: stops[1]!, visited };
}
