import { boxFromFractions, compact, numbers } from './clamp-box';
import type { BoxFormat } from './types';

/**
 * MedRegA (InternVL based): `<ref>object</ref><box>[[x1, y1, x2, y2], …]</box>`, and as often
 * untagged, `object[[x1, y1, x2, y2]]` — the form MedRegA's own evaluator reads. 0–999 with x by
 * width and y by height (xmed-lab/MedRegA src/eval/regt2r/evaluator_reg.py, BBOX_SCALE = 999).
 * Scene-graph answers in the same syntax add `<pred>relation</pred><box>…</box><box>…</box>`:
 * those boxes repeat the subject's and object's, so they are not boxes of their own
 * (OpenGVLab/all-seeing all-seeing-v2/scripts_asmv2/visualize_rec.py, extract_objects).
 */
export const medrega: BoxFormat = {
  id: 'medrega',
  parse(text, frame) {
    const tagged =
      /<pred>[^<]*<\/pred>(?:\s*<box>[^<]*<\/box>)*|(?:<ref>([^<]*)<\/ref>)?\s*<box>\s*(\[[^<]*?\])\s*<\/box>/g;
    const untagged = /([^<>[\]\n]*?)\s*(\[\s*\[[^<>]*?\]\s*\])/g;
    const re = /<box>/.test(text) ? tagged : untagged;
    return compact(
      [...text.matchAll(re)].flatMap(([, label, list]) => {
        if (list === undefined) return []; // a relation's boxes
        try {
          const parsed: unknown = JSON.parse(list!);
          const boxes = Array.isArray(parsed) && Array.isArray(parsed[0]) ? parsed : [parsed];
          return boxes.map((b) => {
            const n = numbers(b, 4);
            const f = n?.map((v) => v / 999) as [number, number, number, number] | undefined;
            return f && boxFromFractions((label ?? '').replace(/^[\s,.;:]+/, ''), frame, f);
          });
        } catch {
          return [];
        }
      }),
    );
  },
};
