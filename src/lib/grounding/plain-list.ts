import { clampBox, compact } from './clamp-box';
import type { BoxFormat } from './types';

/**
 * A bare `[x1, y1, x2, y2]` in prose, in pixels of the original image: for a model whose system
 * prompt asks for exactly that (its manifest entry says so), never a guess for an unknown one.
 */
export const plainList: BoxFormat = {
  id: 'plain',
  parse(text, frame) {
    const re =
      /([A-Za-z][\w -]{0,40}?)?\s*[:=]?\s*\[\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*\]/g;
    return compact(
      [...text.matchAll(re)].map(([, label, x0, y0, x1, y1]) =>
        clampBox(label ?? '', Number(x0), Number(y0), Number(x1), Number(y1), frame.image),
      ),
    );
  },
};
