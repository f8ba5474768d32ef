import { clampBox, compact } from './clamp-box';
import type { BoxFormat } from './types';

/**
 * Qwen2-VL: `<|object_ref_start|>label<|object_ref_end|><|box_start|>(x1,y1),(x2,y2)<|box_end|>`,
 * coordinates 0–1000 relative to the image (Qwen2-VL README, grounding; QwenLM issue #189).
 */
export const qwen2vl: BoxFormat = {
  id: 'qwen2-vl',
  parse(text, image) {
    const re =
      /(?:<\|object_ref_start\|>([^<]*)<\|object_ref_end\|>)?\s*<\|box_start\|>\s*\(\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*\)\s*,\s*\(\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*\)\s*<\|box_end\|>/g;
    return compact(
      [...text.matchAll(re)].map(([, label, x0, y0, x1, y1]) =>
        clampBox(
          label ?? '',
          (Number(x0) / 1000) * image.width,
          (Number(y0) / 1000) * image.height,
          (Number(x1) / 1000) * image.width,
          (Number(y1) / 1000) * image.height,
          image,
        ),
      ),
    );
  },
};
