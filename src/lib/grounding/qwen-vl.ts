import { boxFromFractions, compact } from './clamp-box';
import type { BoxFormat } from './types';

/**
 * Qwen-VL (the first version, and models trained on its data): `<ref>label</ref><box>(x1,y1),(x2,y2)</box>`,
 * 0–1000 relative to the model's input (QwenLM/Qwen-VL README, grounding; its tokenizer's
 * `_fetch_all_box_with_ref` reads the same form).
 */
export const qwenvl: BoxFormat = {
  id: 'qwen-vl',
  parse(text, frame) {
    const re =
      /(?:<ref>([^<]*)<\/ref>)?\s*<box>\s*\(\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*\)\s*,\s*\(\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*\)\s*<\/box>/g;
    return compact(
      [...text.matchAll(re)].map(([, label, ...corners]) =>
        boxFromFractions(label ?? '', frame, corners.map((v) => Number(v) / 1000) as [number, number, number, number]),
      ),
    );
  },
};
