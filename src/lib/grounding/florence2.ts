import { clampBox, compact } from './clamp-box';
import type { BoxFormat } from './types';

/**
 * Florence-2: `label<loc_x1><loc_y1><loc_x2><loc_y2>` with 1000 bins per axis of the image
 * (the processor stretches the image to a square, so bins are relative to each axis).
 * Pixel = (bin + 0.5) / 1000 · size, as processing_florence2.py's post-processing does.
 */
export const florence2: BoxFormat = {
  id: 'florence2',
  parse(text, image) {
    const re = /([^<>]*?)<loc_(\d+)><loc_(\d+)><loc_(\d+)><loc_(\d+)>/g;
    const px = (bin: string, size: number) => ((Number(bin) + 0.5) / 1000) * size;
    return compact(
      [...text.replace(/<\/?s>|<pad>/g, '').matchAll(re)].map(([, label, x0, y0, x1, y1]) =>
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
