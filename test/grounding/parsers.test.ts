import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BOX_FORMATS, type GroundedBox, type ImageSize } from '../../src/lib/grounding';
import { qwen25SmartResize } from '../../src/lib/grounding/qwen25-vl';

const CXR = { width: 1477, height: 1198 }; // the Wikimedia chest PA (MedGemma's notebook image)

/**
 * Each family's sample quotes a published string (source beside it): Florence-2 and PaliGemma
 * model answers from other projects' tests, MedMO's README, Qwen answers from the QwenLM issues,
 * a Gemma-family box_2d answer, an InternVL <ref>/<box> answer. Only the plain list, which is no
 * model's syntax, is constructed.
 */
const SAMPLES: [format: string, text: string, image: ImageSize, expected: Partial<GroundedBox>[], source: string][] = [
  [
    'qwen3-vl',
    'Fractures <box>[[156, 516, 231, 607], [690, 511, 765, 601]]</box>',
    { width: 1000, height: 1000 },
    [
      { label: 'Fractures', x0: 156, y0: 516, x1: 231, y1: 607 },
      { label: 'Fractures', x0: 690, y0: 511, x1: 765, y1: 601 },
    ],
    'genmilab/MedMO README grounding answer (first box verbatim, second added)',
  ],
  [
    'florence2',
    '</s><s><s><s>A green car<loc_54><loc_330><loc_911><loc_780>a yellow building<loc_0><loc_8><loc_998><loc_635></s>',
    { width: 640, height: 480 },
    [
      { label: 'A green car', x0: 34.88, y0: 158.64, x1: 583.36, y1: 374.64 },
      { label: 'a yellow building', x0: 0.32, y0: 4.08, x1: 639.04, y1: 305.04 },
    ],
    'verbatim from transformers.js tests/models/florence2 processor test (<CAPTION_TO_PHRASE_GROUNDING> on the 640×480 beetle image); expected boxes are that test’s targets',
  ],
  [
    'qwen2-vl',
    '<|object_ref_start|>Popup close button<|object_ref_end|><|box_start|>(1769, 1013), (1778, 1027)<|box_end|>\n<|object_ref_start|>Popup close button<|object_ref_end|><|box_start|>(483, 954), (519, 987)<|box_end|>',
    { width: 1000, height: 1000 },
    [{ label: 'Popup close button', x0: 483, y0: 954, x1: 519, y1: 987 }],
    'verbatim from QwenLM/Qwen3-VL issue #762 (grounding conversation; its first box lies outside 0-1000 and is dropped)',
  ],
  [
    'qwen2.5-vl',
    '{\n"bbox_2d": [135, 114, 1016, 672]\n}',
    { width: 504, height: 504 },
    [{ label: '', x0: 135, y0: 114, x1: 504, y1: 504 }],
    'verbatim from QwenLM/Qwen3-VL issue #1137 (Qwen2.5-VL grounding answer, absolute pixels)',
  ],
  [
    'medgemma',
    'Final Answer: [{"box_2d": [182, 110, 808, 882], "label": "headphones"}]',
    { width: 1000, height: 1000 },
    [{ label: 'headphones', x0: 110, y0: 182, x1: 882, y1: 808 }],
    'a Gemma-family box_2d answer quoted in a public project’s notes (the format MedGemma’s notebook asks for after "Final Answer:")',
  ],
  [
    'medrega',
    '<ref>circle</ref><box>[[278,24,354,100],[515,10,611,106],[174,299,228,353],[407,415,489,497]]</box>',
    { width: 999, height: 999 },
    [
      { label: 'circle', x0: 278, y0: 24, x1: 354, y1: 100 },
      { label: 'circle', x0: 515, y0: 10, x1: 611, y1: 106 },
      { label: 'circle', x0: 174, y0: 299, x1: 228, y1: 353 },
      { label: 'circle', x0: 407, y0: 415, x1: 489, y1: 497 },
    ],
    'verbatim InternVL grounding answer (the <ref>/<box> syntax MedRegA inherits, 0-999) from a public grounding dataset’s assistant turn',
  ],
  [
    'paligemma',
    '<loc0000><loc0000><loc1022><loc1022> cat',
    { width: 224, height: 224 },
    [{ label: 'cat', x0: 0, y0: 0, x1: (1022 / 1024) * 224, y1: (1022 / 1024) * 224 }],
    'verbatim paligemma-3b-mix-224 answer to "detect cat", asserted in modelscope/ms-swift’s model tests',
  ],
  [
    'plain',
    'Nodule: [10, 20, 110, 220] in the right lung.',
    { width: 512, height: 512 },
    [{ label: 'Nodule', x0: 10, y0: 20, x1: 110, y1: 220 }],
    'plain list in prose',
  ],
];

describe('box formats on sample answers', () => {
  for (const [format, text, image, expected, source] of SAMPLES) {
    it(`${format}: ${source}`, () => {
      const boxes = BOX_FORMATS[format]!.parse(text, image);
      expect(boxes).toHaveLength(expected.length);
      boxes.forEach((box, i) => {
        const want = expected[i]!;
        expect(box.label).toBe(want.label);
        for (const k of ['x0', 'y0', 'x1', 'y1'] as const) expect(box[k]).toBeCloseTo(want[k]!, 3);
      });
    });
  }
});

describe('malformed and half-streamed answers never throw and never leave the image', () => {
  const image = { width: 300, height: 200 };
  const nasty = [
    '',
    '<loc_12><loc_',
    'car<loc_1200><loc_-5><loc_999><loc_999>',
    '<|box_start|>(10,10),(20,',
    '<|object_ref_start|>x<|object_ref_end|><|box_start|>(5000,5000),(9000,9000)<|box_end|>',
    '{"bbox_2d": [1, 2, 3',
    '[{"bbox_2d": [1, 2, 3, 4], "label": "ok"}, {"bbox_2d": [1, 2, "x", 4]}, {"bbox_2d": [1, 2, 3, 4, 5]}',
    'Final Answer: {"box_2d": [1000, 1000, 0, 0], "label": "flipped"} {"box_2d": [NaN, 1, 2, 3]}',
    '<ref>a</ref><box>[[1,2,3]</box><box>[[-100, -100, 5000, 5000]]</box>',
    '<loc9999><loc0000><loc0001><loc0002> weird',
    '<box>[[1e309, 0, 10, 10]]</box> [1, 2, 3] [0, 0, 0, 0] [Infinity, 1, 2, 3]',
    '{"__proto__": {"polluted": 1}, "bbox_2d": [0, 0, 10, 10]}',
    '{'.repeat(5000) + '}'.repeat(10),
  ];
  for (const format of Object.keys(BOX_FORMATS)) {
    it(format, () => {
      for (const text of nasty) {
        const boxes = BOX_FORMATS[format]!.parse(text, image);
        for (const b of boxes) {
          expect(b.x0).toBeGreaterThanOrEqual(0);
          expect(b.y0).toBeGreaterThanOrEqual(0);
          expect(b.x1).toBeLessThanOrEqual(image.width);
          expect(b.y1).toBeLessThanOrEqual(image.height);
          expect(b.x1).toBeGreaterThan(b.x0);
          expect(b.y1).toBeGreaterThan(b.y0);
        }
      }
      // A box still streaming in is not reported until it is complete.
      const half = {
        florence2: 'car<loc_10><loc_20><loc_30>',
        'qwen2-vl': '<|box_start|>(10,20),(30,40)',
        'qwen2.5-vl': '{"bbox_2d": [10, 20, 30, 40], "lab',
        'qwen3-vl': '<box>[[10, 20, 30, 40]',
        medgemma: '{"box_2d": [10, 20, 30',
        medrega: '<ref>a</ref><box>[[1, 2, 3, 4]]',
        paligemma: '<loc0010><loc0020><loc0030>',
        plain: '[10, 20, 30',
      }[format]!;
      expect(BOX_FORMATS[format]!.parse(half, image)).toEqual([]);
    });
  }
  it('left Object.prototype alone', () => expect(({} as Record<string, unknown>).polluted).toBeUndefined());
});

/** Ground truth → each model's own output convention (the forward mapping, written from each
 * model's documentation), then back through our parser: IoU ≥ 0.95 with the truth. */
describe('TBX11K ground-truth boxes survive each format round trip (IoU ≥ 0.95)', () => {
  const coco = JSON.parse(readFileSync(new URL('../fixtures/cxr/tbx11k-boxes.coco.json', import.meta.url), 'utf8'));
  const cases: { name: string; image: ImageSize; box: [number, number, number, number] }[] = coco.annotations.map(
    (a: { image_id: number; bbox: number[] }) => {
      const img = coco.images.find((i: { id: number }) => i.id === a.image_id);
      const [x, y, w, h] = a.bbox;
      return { name: img.file_name, image: { width: img.width, height: img.height }, box: [x!, y!, x! + w!, y! + h!] };
    },
  );
  // One non-square case so padding (MedGemma) and aspect-preserving resizes (Qwen2.5-VL) matter.
  cases.push({
    name: 'chest-xray-pa-wikimedia-cc0.png (synthetic box)',
    image: CXR,
    box: [812.4, 301.7, 1093.9, 707.2],
  });

  const r = Math.round;
  const encode: Record<string, (b: number[], im: ImageSize) => string> = {
    florence2: ([x0, y0, x1, y1], im) =>
      `finding${[x0! / im.width, y0! / im.height, x1! / im.width, y1! / im.height].map((v) => `<loc_${Math.min(999, Math.floor(v * 1000))}>`).join('')}`,
    'qwen2-vl': ([x0, y0, x1, y1], im) =>
      `<|object_ref_start|>finding<|object_ref_end|><|box_start|>(${r((x0! / im.width) * 1000)},${r((y0! / im.height) * 1000)}),(${r((x1! / im.width) * 1000)},${r((y1! / im.height) * 1000)})<|box_end|>`,
    'qwen2.5-vl': ([x0, y0, x1, y1], im) => {
      // smart_resize by hand: 512² → 504²; 1477×1198 → 1092×896 (budget 28·28·1280).
      const resized = im.width === 512 ? { width: 504, height: 504 } : { width: 1092, height: 896 };
      const sx = resized.width / im.width;
      const sy = resized.height / im.height;
      return `\`\`\`json\n[{"bbox_2d": [${r(x0! * sx)}, ${r(y0! * sy)}, ${r(x1! * sx)}, ${r(y1! * sy)}], "label": "finding"}]\n\`\`\``;
    },
    'qwen3-vl': ([x0, y0, x1, y1], im) =>
      `finding <box>[[${r((x0! / im.width) * 1000)}, ${r((y0! / im.height) * 1000)}, ${r((x1! / im.width) * 1000)}, ${r((y1! / im.height) * 1000)}]]</box>`,
    medgemma: ([x0, y0, x1, y1], im) => {
      const side = Math.max(im.width, im.height);
      const px = (side - im.width) / 2;
      const py = (side - im.height) / 2;
      const q = (v: number, pad: number) => r(((v + pad) / side) * 1000);
      return `Final Answer: [{"box_2d": [${q(y0!, py)}, ${q(x0!, px)}, ${q(y1!, py)}, ${q(x1!, px)}], "label": "finding"}]`;
    },
    medrega: ([x0, y0, x1, y1], im) =>
      `<ref>finding</ref><box>[[${r((x0! / im.width) * 999)}, ${r((y0! / im.height) * 999)}, ${r((x1! / im.width) * 999)}, ${r((y1! / im.height) * 999)}]]</box>`,
    paligemma: ([x0, y0, x1, y1], im) =>
      [y0! / im.height, x0! / im.width, y1! / im.height, x1! / im.width]
        .map((v) => `<loc${String(Math.min(1023, r(v * 1024))).padStart(4, '0')}>`)
        .join('') + ' finding',
    plain: ([x0, y0, x1, y1]) => `finding: [${r(x0!)}, ${r(y0!)}, ${r(x1!)}, ${r(y1!)}]`,
  };

  const iou = (a: GroundedBox, b: number[]) => {
    const ix = Math.max(0, Math.min(a.x1, b[2]!) - Math.max(a.x0, b[0]!));
    const iy = Math.max(0, Math.min(a.y1, b[3]!) - Math.max(a.y0, b[1]!));
    const inter = ix * iy;
    return inter / ((a.x1 - a.x0) * (a.y1 - a.y0) + (b[2]! - b[0]!) * (b[3]! - b[1]!) - inter);
  };

  it('uses the smart_resize sizes the forward mapping assumes', () => {
    expect(qwen25SmartResize({ width: 512, height: 512 })).toEqual({ width: 504, height: 504 });
    expect(qwen25SmartResize(CXR)).toEqual({ width: 1092, height: 896 });
  });

  for (const format of Object.keys(encode)) {
    for (const c of cases) {
      it(`${format} on ${c.name}`, () => {
        const [box] = BOX_FORMATS[format]!.parse(encode[format]!(c.box, c.image), c.image);
        expect(box?.label).toBe('finding');
        expect(iou(box!, c.box)).toBeGreaterThanOrEqual(0.95);
      });
    }
  }
});
