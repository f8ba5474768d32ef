import { clampBox, compact, jsonObjectsWith, numbers } from './clamp-box';
import type { BoxFormat, ImageSize } from './types';

/**
 * Qwen2.5-VL's image processor resizes to multiples of 28 within a pixel budget before the
 * model sees the image (qwen_vl_utils smart_resize; min 56·56, max 28·28·1280 in the released
 * processor config), and its `bbox_2d` answers are absolute pixels of that resized image.
 */
export function qwen25SmartResize(
  image: ImageSize,
  factor = 28,
  minPixels = 56 * 56,
  maxPixels = 28 * 28 * 1280,
): ImageSize {
  let h = Math.max(factor, Math.round(image.height / factor) * factor);
  let w = Math.max(factor, Math.round(image.width / factor) * factor);
  if (h * w > maxPixels) {
    const beta = Math.sqrt((image.height * image.width) / maxPixels);
    h = Math.floor(image.height / beta / factor) * factor;
    w = Math.floor(image.width / beta / factor) * factor;
  } else if (h * w < minPixels) {
    const beta = Math.sqrt(minPixels / (image.height * image.width));
    h = Math.ceil((image.height * beta) / factor) * factor;
    w = Math.ceil((image.width * beta) / factor) * factor;
  }
  return { width: w, height: h };
}

/** Qwen2.5-VL: JSON `{"bbox_2d": [x1, y1, x2, y2], "label": "…"}` in resized-input pixels (QwenLM issues #676, #733). */
export const qwen25vl: BoxFormat = {
  id: 'qwen2.5-vl',
  parse(text, image) {
    const resized = qwen25SmartResize(image);
    const sx = image.width / resized.width;
    const sy = image.height / resized.height;
    return compact(
      jsonObjectsWith(text, 'bbox_2d').map((o) => {
        const b = numbers(o.bbox_2d, 4);
        return b && clampBox(String(o.label ?? ''), b[0]! * sx, b[1]! * sy, b[2]! * sx, b[3]! * sy, image);
      }),
    );
  },
};
