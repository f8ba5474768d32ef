import { boxFromFractions, compact } from './clamp-box';
import type { BoxFormat, GroundedBox, ImageFrame } from './types';

/** Task tokens whose answers are quadrilaterals or polygons (Florence-2's processor config, tasks_answer_post_processing_type). */
const QUAD_TASKS = ['<OCR_WITH_REGION>'];
const POLYGON_TASKS = ['<REFERRING_EXPRESSION_SEGMENTATION>', '<REGION_TO_SEGMENTATION>'];

/** Bin → fraction of the axis: the bin's centre, as processing_florence2 post_process_generation does. */
const fraction = (bin: number) => (bin + 0.5) / 1000;

/** The box around a run of (x, y) bins: a quad's or polygon's extent. */
function enclosing(label: string, bins: number[], frame: ImageFrame): GroundedBox | undefined {
  const xs = bins.filter((_, i) => i % 2 === 0).map(fraction);
  const ys = bins.filter((_, i) => i % 2 === 1).map(fraction);
  return boxFromFractions(label, frame, [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)]);
}

/**
 * Florence-2: `label<loc_x1><loc_y1><loc_x2><loc_y2>`, 1000 bins per axis of the (stretched)
 * image. One label may head several boxes (`car<loc…>×4<loc…>×4`: a label-less box takes the
 * label before it, as transformers.js processing_florence2.js does). OCR-with-region answers are
 * quads (8 bins) and segmentation answers polygons (`<poly>`-separated runs): each becomes the
 * one box enclosing it, never boxes cut from its corners. A run is complete only once text
 * follows it, so a polygon still streaming in is not reported.
 */
export const florence2: BoxFormat = {
  id: 'florence2',
  parse(text, frame, task = '') {
    // Polygon separators split runs without naming anything: kept as '|' so they end a run.
    const clean = text.replace(/<s>|<pad>/g, '').replace(/<\/s>|<\/?poly>|<sep>/g, '|');
    const quads = QUAD_TASKS.some((t) => task.includes(t));
    const polygons = POLYGON_TASKS.some((t) => task.includes(t)) || text.includes('<poly>');
    const boxes: (GroundedBox | undefined)[] = [];
    let label = '';
    for (const m of clean.matchAll(/([^<]*)((?:<loc_\d+>)+)/g)) {
      const head = m[1]!.replace(/\|/g, '').trim();
      if (head) label = head;
      const bins = [...m[2]!.matchAll(/<loc_(\d+)>/g)].map((b) => Number(b[1]));
      if (quads || polygons) {
        const complete = m.index + m[0].length < clean.length;
        if (polygons ? complete && bins.length >= 6 : bins.length === 8) boxes.push(enclosing(label, bins, frame));
        continue;
      }
      for (let i = 0; i + 4 <= bins.length; i += 4) {
        const [x0, y0, x1, y1] = bins.slice(i, i + 4).map(fraction) as [number, number, number, number];
        boxes.push(boxFromFractions(label, frame, [x0, y0, x1, y1]));
      }
    }
    return compact(boxes);
  },
};
