import { boxFromFractions, compact, jsonObjectsWith, numbers } from './clamp-box';
import type { BoxFormat } from './types';

/**
 * MedGemma (Gemma 3): JSON `{"box_2d": [y0, x0, y1, x1], "label": "…"}` after "Final Answer:",
 * **y before x**, 0–1000 relative to the image the model saw: centred on a square where the
 * manifest says the family pads (Google-Health/medgemma notebook
 * cxr_anatomy_localization_with_hugging_face.ipynb pads before the processor's resize).
 */
export const medgemma: BoxFormat = {
  id: 'medgemma',
  parse(text, frame) {
    const answer = text.includes('Final Answer:') ? text.slice(text.lastIndexOf('Final Answer:')) : text;
    return compact(
      jsonObjectsWith(answer, 'box_2d').map((o) => {
        const b = numbers(o.box_2d, 4);
        return (
          b && boxFromFractions(String(o.label ?? ''), frame, [b[1]! / 1000, b[0]! / 1000, b[3]! / 1000, b[2]! / 1000])
        );
      }),
    );
  },
};
