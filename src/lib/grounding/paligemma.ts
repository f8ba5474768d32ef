import { boxFromFractions, compact } from './clamp-box';
import type { BoxFormat } from './types';

/**
 * PaliGemma: `<locYYYY><locXXXX><locYYYY><locXXXX> label`, y first, 1024 bins per axis of the
 * (stretched) image: fraction = bin / 1024 (big_vision's PaliGemma detection decoding).
 * Segmentation answers put 16 `<segNNN>` tokens between the box and the label; detections of
 * several objects are separated by " ; " (big_vision's PaliGemma space, _SEGMENT_DETECT_RE).
 */
export const paligemma: BoxFormat = {
  id: 'paligemma',
  parse(text, frame) {
    const re = /<loc(\d{4})><loc(\d{4})><loc(\d{4})><loc(\d{4})>\s*((?:<seg\d{3}>){16})?\s*([^<;\n]*)/g;
    return compact(
      [...text.matchAll(re)].map(([, y0, x0, y1, x1, , label]) =>
        boxFromFractions(
          label!,
          frame,
          [x0, y0, x1, y1].map((v) => Number(v) / 1024) as [number, number, number, number],
        ),
      ),
    );
  },
};
