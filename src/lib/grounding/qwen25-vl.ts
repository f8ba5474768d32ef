import { clampBox, compact, jsonObjectsWith, numbers } from './clamp-box';
import { fromInputPixels } from './frame';
import type { BoxFormat, GroundedBox, ImageFrame } from './types';

function fromPixels(label: string, frame: ImageFrame, b: number[]): GroundedBox | undefined {
  const a = fromInputPixels(frame, b[0]!, b[1]!);
  const c = fromInputPixels(frame, b[2]!, b[3]!);
  return a && c && clampBox(label, a.x, a.y, c.x, c.y, frame.image);
}

/**
 * Qwen2.5-VL: JSON `{"bbox_2d": [x1, y1, x2, y2], "label": "…"}`, or a bare `[x1, y1, x2, y2]`,
 * in absolute pixels of the image as its processor resized it (smart_resize to multiples of 28
 * within the model's own min/max_pixels; QwenLM issues #676, #733). That size is the
 * processor's output, in `frame.input`; without it no box is reported rather than guessed.
 */
export const qwen25vl: BoxFormat = {
  id: 'qwen2.5-vl',
  parse(text, frame) {
    const fromJson = jsonObjectsWith(text, 'bbox_2d').map((o) => {
      const b = numbers(o.bbox_2d, 4);
      return b && fromPixels(String(o.label ?? ''), frame, b);
    });
    // A bare list only where the answer names no bbox_2d (one still streaming is not bare).
    if (text.includes('bbox_2d')) return compact(fromJson);
    const bare = /\[\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*\]/g;
    return compact([...text.matchAll(bare)].map(([, ...b]) => fromPixels('', frame, b.map(Number))));
  },
};
