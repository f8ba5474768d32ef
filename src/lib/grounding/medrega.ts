import { clampBox, compact, numbers } from './clamp-box';
import type { BoxFormat } from './types';

/**
 * MedRegA (InternVL based): `<ref>object</ref><box>[[x1, y1, x2, y2]]</box>`, 0–999 with x by
 * width and y by height (xmed-lab/MedRegA src/eval/regt2r/evaluator_reg.py, BBOX_SCALE = 999).
 */
export const medrega: BoxFormat = {
  id: 'medrega',
  parse(text, image) {
    const re = /(?:<ref>([^<]*)<\/ref>)?\s*<box>\s*(\[[^<]*?\])\s*<\/box>/g;
    return compact(
      [...text.matchAll(re)].flatMap(([, label, list]) => {
        try {
          const parsed: unknown = JSON.parse(list!);
          const boxes = Array.isArray(parsed) && Array.isArray(parsed[0]) ? parsed : [parsed];
          return boxes.map((b) => {
            const n = numbers(b, 4);
            const s = (v: number, size: number) => (v / 999) * size;
            return (
              n &&
              clampBox(
                label ?? '',
                s(n[0]!, image.width),
                s(n[1]!, image.height),
                s(n[2]!, image.width),
                s(n[3]!, image.height),
                image,
              )
            );
          });
        } catch {
          return [];
        }
      }),
    );
  },
};
