import { clampBox, compact } from './clamp-box';
import type { BoxFormat } from './types';

/**
 * PaliGemma: `<locYYYY><locXXXX><locYYYY><locXXXX> label`, y first, 1024 bins per axis of the
 * (stretched) image: pixel = bin / 1024 · size (big_vision's PaliGemma detection decoding).
 */
export const paligemma: BoxFormat = {
  id: 'paligemma',
  parse(text, image) {
    const re = /<loc(\d{4})><loc(\d{4})><loc(\d{4})><loc(\d{4})>\s*([^<;\n]*)/g;
    const px = (bin: string, size: number) => (Number(bin) / 1024) * size;
    return compact(
      [...text.matchAll(re)].map(([, y0, x0, y1, x1, label]) =>
        clampBox(
          label!,
          px(x0!, image.width),
          px(y0!, image.height),
          px(x1!, image.width),
          px(y1!, image.height),
          image,
        ),
      ),
    );
  },
};
