import { boxFromFractions, compact } from './clamp-box';
import type { BoxFormat } from './types';

/**
 * Qwen2-VL: `<|object_ref_start|>label<|object_ref_end|><|box_start|>(x1,y1),(x2,y2)<|box_end|>`,
 * 0–1000 relative to the model's input (Qwen2-VL README, grounding; QwenLM issue #189). The
 * markers are special tokens: this reads text decoded with them kept.
 */
export const qwen2vl: BoxFormat = {
  id: 'qwen2-vl',
  parse(text, frame) {
    const re =
      /(?:<\|object_ref_start\|>([^<]*)<\|object_ref_end\|>)?\s*<\|box_start\|>\s*\(\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*\)\s*,\s*\(\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*\)\s*<\|box_end\|>/g;
    return compact(
      [...text.matchAll(re)].map(([, label, ...corners]) =>
        boxFromFractions(label ?? '', frame, corners.map((v) => Number(v) / 1000) as [number, number, number, number]),
      ),
    );
  },
};
