import { boxFromFractions, compact, jsonObjectsWith, numbers } from './clamp-box';
import type { BoxFormat, GroundedBox, ImageFrame } from './types';

const rel = (b: number[], label: string, frame: ImageFrame): GroundedBox | undefined =>
  boxFromFractions(label, frame, b.map((v) => v / 1000) as [number, number, number, number]);

/**
 * Qwen3-VL and MedMO (built on it): `bbox_2d` JSON, or `label <box>[[x1, y1, x2, y2], …]</box>`
 * as MedMO's README shows, both 0–1000 relative to the model's input (QwenLM issue #1927).
 */
export const qwen3vl: BoxFormat = {
  id: 'qwen3-vl',
  parse(text, frame) {
    const fromJson = jsonObjectsWith(text, 'bbox_2d').map((o) => {
      const b = numbers(o.bbox_2d, 4);
      return b && rel(b, String(o.label ?? ''), frame);
    });
    const fromTags = [...text.matchAll(/([^<>\n]*?)\s*<box>\s*(\[[^<]*?\])\s*<\/box>/g)].flatMap(([, label, list]) => {
      try {
        const parsed: unknown = JSON.parse(list!);
        const boxes = Array.isArray(parsed) && Array.isArray(parsed[0]) ? parsed : [parsed];
        return boxes.map((b) => {
          const n = numbers(b, 4);
          return n && rel(n, label!, frame);
        });
      } catch {
        return [];
      }
    });
    return compact([...fromJson, ...fromTags]);
  },
};
