import { clampBox, compact, jsonObjectsWith, numbers } from './clamp-box';
import type { BoxFormat } from './types';

/**
 * MedGemma (Gemma 3): JSON `{"box_2d": [y0, x0, y1, x1], "label": "…"}` after "Final Answer:",
 * **y before x**, 0–1000 relative to the image padded centrally to a square (Google-Health/
 * medgemma notebook cxr_anatomy_localization_with_hugging_face.ipynb pads, then resizes).
 */
export const medgemma: BoxFormat = {
  id: 'medgemma',
  parse(text, image) {
    const answer = text.includes('Final Answer:') ? text.slice(text.lastIndexOf('Final Answer:')) : text;
    const side = Math.max(image.width, image.height);
    const padX = (side - image.width) / 2;
    const padY = (side - image.height) / 2;
    const px = (v: number, pad: number) => (v / 1000) * side - pad;
    return compact(
      jsonObjectsWith(answer, 'box_2d').map((o) => {
        const b = numbers(o.box_2d, 4);
        return (
          b &&
          clampBox(String(o.label ?? ''), px(b[1]!, padX), px(b[0]!, padY), px(b[3]!, padX), px(b[2]!, padY), image)
        );
      }),
    );
  },
};
