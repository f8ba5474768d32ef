import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BOX_FORMATS, type GroundedBox, type ImageFrame, type ImageSize } from '../../src/lib/grounding';

const CXR = { width: 1477, height: 1198 }; // the Wikimedia chest PA (MedGemma's notebook image)

/** The frame of an unpadded image the processor resized to `input` (when the family answers in its pixels). */
const plain = (image: ImageSize, input?: ImageSize): ImageFrame => ({
  image,
  padding: 'none',
  ...(input ? { input } : {}),
});

interface Sample {
  format: string;
  text: string;
  frame: ImageFrame;
  task?: string;
  /** Pixel boxes as the authors' own code printed or drew them (or, where noted, their formula applied by hand). */
  expected: Partial<GroundedBox>[];
  /** Pixels the expected values may differ by (the authors' code rounds to whole pixels). */
  tolerance?: number;
  source: string;
}

/** InternVL-syntax boxes as their authors draw them: each `<ref>`'s boxes, x/999·w and y/999·h. */
function internVlBoxes(text: string, { width, height }: ImageSize): Partial<GroundedBox>[] {
  return [...text.matchAll(/<ref>([^<]*)<\/ref><box>([^<]*)<\/box>/g)].flatMap(([, label, list]) =>
    (JSON.parse(list!) as number[][]).map(([x0, y0, x1, y1]) => ({
      label: label!,
      x0: (x0! / 999) * width,
      y0: (y0! / 999) * height,
      x1: (x1! / 999) * width,
      y1: (y1! / 999) * height,
    })),
  );
}

const ASMV2_SCENE_GRAPH =
  'In the image, a tall red <ref>bus</ref><box>[[290, 202, 835, 851]]</box> is <pred>driving on</pred><box>[[290, 202, 835, 851]]</box><box>[[0, 604, 984, 999]]</box> a <ref>road</ref><box>[[0, 604, 984, 999]]</box> through a busy intersection in a metropolitan area. The bus is surrounded by various <ref>cars</ref><box>[[827, 590, 885, 682], [1, 604, 238, 804], [927, 596, 935, 620], [905, 592, 931, 645], [930, 592, 938, 616], [878, 590, 910, 660]]</box>, with one car <pred>beside</pred><box>[[1, 604, 238, 804]]</box><box>[[290, 202, 835, 851]]</box> the bus and others <pred>driving on</pred><box>[[1, 604, 238, 804]]</box><box>[[0, 604, 984, 999]]</box> the same road. There are multiple <ref>people</ref><box>[[346, 328, 398, 390], [944, 598, 969, 699], [249, 577, 266, 654], [952, 660, 999, 993], [224, 571, 243, 654], [159, 583, 181, 618], [499, 301, 568, 380], [142, 571, 162, 614], [650, 620, 680, 664], [394, 316, 447, 384], [373, 551, 443, 653], [969, 600, 989, 688]]</box> visible in the scene, with one <pred>in</pred><box>[[373, 551, 443, 653]]</box><box>[[290, 202, 835, 851]]</box> the bus and others on the surrounding <ref>pavement</ref><box>[[207, 614, 999, 862]]</box> and <ref>road</ref><box>[[0, 604, 984, 999]]</box>. The backdrop features <ref>buildings</ref><box>[[0, 0, 892, 658]]</box> and <ref>trees</ref><box>[[0, 0, 999, 573]]</box>, with a clear <ref>sky</ref><box>[[682, 0, 999, 513]]</box> above. The scene captures the essence of city life with its bustling traffic and urban architecture.';

const BEETLE = plain({ width: 640, height: 480 }); // transformers.js tests' Florence-2 "beetle" image
const BOOK = plain({ width: 403, height: 500 }); // its "book_cover" image (size from the test's quad targets)
const TF_FLORENCE = 'transformers.js tests/models/florence2 processor test; expected = that test’s target';

/**
 * Verbatim published answers, each with its source. Florence-2's expected boxes are the targets of
 * transformers.js's own post_process_generation tests (quads and polygons: the extent of the
 * target points); PaliGemma's are what big_vision's PaliGemma space `extract_objs` computes for
 * its EXAMPLE_STRING at 100×200 (rounded to pixels there); Qwen-VL's are its
 * draw_bbox_on_latest_picture rule (x/1000·w) applied to a stated image size.
 */
const SAMPLES: Sample[] = [
  {
    format: 'florence2',
    task: '<OD>',
    text: '</s><s><s><s>car<loc_53><loc_333><loc_933><loc_774>door<loc_712><loc_203><loc_906><loc_545>wheel<loc_704><loc_576><loc_866><loc_772><loc_149><loc_584><loc_310><loc_773></s>',
    frame: BEETLE,
    expected: [
      { label: 'car', x0: 34.24, y0: 160.08, x1: 597.44, y1: 371.76 },
      { label: 'door', x0: 456.0, y0: 97.68, x1: 580.16, y1: 261.84 },
      { label: 'wheel', x0: 450.88, y0: 276.72, x1: 554.56, y1: 370.8 },
      { label: 'wheel', x0: 95.68, y0: 280.56, x1: 198.72, y1: 371.28 },
    ],
    source: `${TF_FLORENCE} (<OD>: one label heads two boxes)`,
  },
  {
    format: 'florence2',
    task: '<DENSE_REGION_CAPTION>',
    text: '</s><s>turquoise Volkswagen Beetle<loc_52><loc_333><loc_932><loc_774>wheel<loc_704><loc_576><loc_864><loc_772><loc_148><loc_584><loc_308><loc_773></s>',
    frame: BEETLE,
    expected: [
      { label: 'turquoise Volkswagen Beetle', x0: 33.6, y0: 160.08, x1: 596.8, y1: 371.76 },
      { label: 'wheel', x0: 450.88, y0: 276.72, x1: 553.28, y1: 370.8 },
      { label: 'wheel', x0: 95.04, y0: 280.56, x1: 197.44, y1: 371.28 },
    ],
    source: `${TF_FLORENCE} (<DENSE_REGION_CAPTION>)`,
  },
  {
    format: 'florence2',
    task: '<CAPTION_TO_PHRASE_GROUNDING>',
    text: '</s><s><s><s>A green car<loc_54><loc_330><loc_911><loc_780>a yellow building<loc_0><loc_8><loc_998><loc_635></s>',
    frame: BEETLE,
    expected: [
      { label: 'A green car', x0: 34.88, y0: 158.64, x1: 583.36, y1: 374.64 },
      { label: 'a yellow building', x0: 0.32, y0: 4.08, x1: 639.04, y1: 305.04 },
    ],
    source: `${TF_FLORENCE} (<CAPTION_TO_PHRASE_GROUNDING>)`,
  },
  {
    format: 'florence2',
    task: '<OCR_WITH_REGION>',
    text: '</s><s><s><s>CUDA<loc_414><loc_100><loc_932><loc_100><loc_932><loc_229><loc_414><loc_229>FOR ENGINEERS<loc_359><loc_241><loc_932><loc_241><loc_932><loc_298><loc_359><loc_298>An Introduction to High-Performance<loc_287><loc_330><loc_934><loc_332><loc_934><loc_368><loc_287><loc_366>Parallel Computing<loc_595><loc_368><loc_934><loc_372><loc_934><loc_408><loc_595><loc_404>DUANE STORTI<loc_660><loc_882><loc_934><loc_882><loc_934><loc_912><loc_660><loc_912>METE YURTOGLU<loc_625><loc_920><loc_934><loc_920><loc_934><loc_950><loc_625><loc_950></s>',
    frame: BOOK,
    expected: [
      { label: 'CUDA', x0: 167.0435, y0: 50.25, x1: 375.7975, y1: 114.75 },
      { label: 'FOR ENGINEERS', x0: 144.8785, y0: 120.75, x1: 375.7975, y1: 149.25 },
      { label: 'An Introduction to High-Performance', x0: 115.8625, y0: 165.25, x1: 376.6035, y1: 184.25 },
      { label: 'Parallel Computing', x0: 239.9865, y0: 184.25, x1: 376.6035, y1: 204.25 },
      { label: 'DUANE STORTI', x0: 266.1815, y0: 441.25, x1: 376.6035, y1: 456.25 },
      { label: 'METE YURTOGLU', x0: 252.0765, y0: 460.25, x1: 376.6035, y1: 475.25 },
    ],
    source: `${TF_FLORENCE} (<OCR_WITH_REGION>: each quad is one box, not two)`,
  },
  {
    format: 'florence2',
    task: '<REGION_TO_SEGMENTATION>',
    text: '</s><s><s><s><loc_734><loc_600><loc_740><loc_594><loc_745><loc_590><loc_748><loc_588><loc_751><loc_588><loc_756><loc_584><loc_760><loc_582><loc_765><loc_580><loc_773><loc_578><loc_800><loc_578><loc_804><loc_580><loc_809><loc_582><loc_814><loc_586><loc_817><loc_586><loc_820><loc_590><loc_825><loc_592><loc_829><loc_596><loc_834><loc_600><loc_848><loc_619><loc_851><loc_625><loc_854><loc_631><loc_859><loc_644><loc_861><loc_650><loc_862><loc_656><loc_864><loc_665><loc_864><loc_692><loc_862><loc_702><loc_861><loc_708><loc_859><loc_715><loc_856><loc_723><loc_853><loc_729><loc_850><loc_735><loc_845><loc_744><loc_839><loc_752><loc_831><loc_760><loc_826><loc_764><loc_823><loc_766><loc_818><loc_768><loc_814><loc_770><loc_806><loc_773><loc_782><loc_773><loc_768><loc_770><loc_762><loc_768><loc_757><loc_766><loc_748><loc_760><loc_743><loc_756><loc_737><loc_750><loc_726><loc_735><loc_723><loc_729><loc_720><loc_723><loc_718><loc_719><loc_718><loc_715><loc_715><loc_708><loc_713><loc_702><loc_712><loc_696><loc_710><loc_688><loc_710><loc_658><loc_712><loc_648><loc_713><loc_640><loc_715><loc_633><loc_718><loc_627><loc_718><loc_623><loc_720><loc_619><loc_723><loc_613></s>',
    frame: BEETLE,
    expected: [{ label: '', x0: 454.72, y0: 277.68, x1: 553.28, y1: 371.28 }],
    source: `${TF_FLORENCE} (<REGION_TO_SEGMENTATION>: a polygon is one box, its extent)`,
  },
  {
    format: 'paligemma',
    text: '<loc0000><loc0000><loc0930><loc1012> <seg114><seg074><seg106><seg044><seg030><seg027><seg119><seg119><seg120><seg117><seg082><seg082><seg051><seg005><seg125><seg097> wall ; <loc0722><loc0047><loc0895><loc0378> <seg068><seg114><seg014><seg037><seg029><seg063><seg048><seg104><seg010><seg056><seg021><seg056><seg019><seg017><seg102><seg121> car ; <loc0180><loc0596><loc0782><loc0961> <seg026><seg028><seg028><seg026><seg104><seg026><seg029><seg022><seg000><seg068><seg092><seg125><seg003><seg127><seg121><seg043> david bowie ; <loc0234><loc0043><loc0736><loc0289> <seg068><seg008><seg091><seg064><seg007><seg055><seg017><seg090><seg042><seg052><seg068><seg086><seg001><seg014><seg093><seg052> david bowie ; <loc0230><loc0300><loc0736><loc0499> <seg073><seg011><seg114><seg059><seg048><seg097><seg091><seg022><seg007><seg036><seg091><seg022><seg016><seg009><seg003><seg036> david bowie',
    frame: plain({ width: 100, height: 200 }),
    expected: [
      { label: 'wall', x0: 0, y0: 0, x1: 99, y1: 182 },
      { label: 'car', x0: 5, y0: 141, x1: 37, y1: 175 },
      { label: 'david bowie', x0: 58, y0: 35, x1: 94, y1: 153 },
      { label: 'david bowie', x0: 4, y0: 46, x1: 28, y1: 144 },
      { label: 'david bowie', x0: 29, y0: 45, x1: 49, y1: 144 },
    ],
    tolerance: 0.5,
    source:
      'big_vision PaliGemma space (huggingface.co/spaces/big-vision/paligemma) EXAMPLE_STRING; extract_objs(…, 100, 200)',
  },
  {
    format: 'paligemma',
    text: '<loc0000><loc0000><loc1022><loc1022> cat',
    frame: plain({ width: 224, height: 224 }),
    expected: [{ label: 'cat', x0: 0, y0: 0, x1: (1022 / 1024) * 224, y1: (1022 / 1024) * 224 }],
    source: 'paligemma-3b-mix-224 answer to "detect cat", asserted in modelscope/ms-swift’s model tests',
  },
  {
    // Decoded with the prompt, as the test asserts it; extract_objs rounds to whole pixels.
    format: 'paligemma',
    text: 'detect shoe\n<loc0051><loc0309><loc0708><loc0646> shoe',
    frame: plain({ width: 224, height: 224 }),
    expected: [{ label: 'shoe', x0: 68, y0: 11, x1: 141, y1: 155 }],
    tolerance: 0.5,
    source:
      'paligemma-3b-pt-224 answer to "detect shoe", asserted in huggingface/transformers tests/models/paligemma/test_modeling_paligemma.py (test_integration_detection_bug); big_vision extract_objs(…, 224, 224)',
  },
  ...[
    ['(536,509),(588,602)', 'QwenLM/Qwen-VL README (model.chat, second turn)'],
    ['(529,504),(587,610)', 'a Qwen-VL-Chat-Int4 example script printing the same turn'],
    ['(523,513),(584,605)', 'a Qwen-VL example’s printed response for the same turn'],
    ['(517,508),(589,611)', 'a Qwen-VL-Chat deployment guide’s printed response for the same turn'],
  ].map(([box, source]): Sample => {
    const [x0, y0, x1, y1] = box!.match(/\d+/g)!.map(Number) as [number, number, number, number];
    return {
      format: 'qwen-vl',
      text: `<ref>击掌</ref><box>${box}</box>`,
      frame: BEETLE,
      expected: [
        { label: '击掌', x0: (x0 / 1000) * 640, y0: (y0 / 1000) * 480, x1: (x1 / 1000) * 640, y1: (y1 / 1000) * 480 },
      ],
      source: `${source!}; tokenization_qwen.py draw_bbox_on_latest_picture: x/1000·w, y/1000·h`,
    };
  }),
  {
    format: 'qwen2-vl',
    text: '<|object_ref_start|>Popup close button<|object_ref_end|><|box_start|>(1769, 1013), (1778, 1027)<|box_end|>\n<|object_ref_start|>Popup close button<|object_ref_end|><|box_start|>(483, 954), (519, 987)<|box_end|>',
    frame: plain({ width: 1000, height: 1000 }),
    expected: [{ label: 'Popup close button', x0: 483, y0: 954, x1: 519, y1: 987 }],
    source: 'QwenLM/Qwen3-VL issue #762 (grounding conversation; its first box lies outside 0-1000 and is dropped)',
  },
  {
    format: 'qwen2-vl',
    text: '<|object_ref_start|>一只狗<|object_ref_end|><|box_start|>(221,423),(569,886)<|box_end|>和<|object_ref_start|>一个女人<|object_ref_end|><|box_start|>(451,381),(733,793)<|box_end|>正在沙滩上玩耍',
    frame: BEETLE,
    expected: [
      { label: '一只狗', x0: 0.221 * 640, y0: 0.423 * 480, x1: 0.569 * 640, y1: 0.886 * 480 },
      { label: '一个女人', x0: 0.451 * 640, y0: 0.381 * 480, x1: 0.733 * 640, y1: 0.793 * 480 },
    ],
    source:
      'ms-swift custom-dataset docs, grounding sample (quoted in modelscope/ms-swift issue #3511); 0–1000 per axis',
  },
  {
    format: 'qwen2-vl',
    text: '<|box_start|>(101,201),(150,266)<|box_end|><|box_start|>(401,601),(550,666)<|box_end|>',
    frame: BEETLE,
    expected: [
      { label: '', x0: 0.101 * 640, y0: 0.201 * 480, x1: 0.15 * 640, y1: 0.266 * 480 },
      { label: '', x0: 0.401 * 640, y0: 0.601 * 480, x1: 0.55 * 640, y1: 0.666 * 480 },
    ],
    source: 'ms-swift custom-dataset docs, grounding sample without object refs (modelscope/ms-swift issue #3511)',
  },
  {
    format: 'qwen2-vl',
    text: "Action: click(start_box='<|box_start|>(246,113)<|box_end|>')",
    frame: BEETLE,
    expected: [],
    source: 'ms-swift custom-dataset docs, a point answer (modelscope/ms-swift issue #3511): a point is no box',
  },
  {
    format: 'qwen2.5-vl',
    text: '{\n"bbox_2d": [135, 114, 1016, 672]\n}',
    frame: plain({ width: 504, height: 504 }, { width: 504, height: 504 }),
    expected: [{ label: '', x0: 135, y0: 114, x1: 504, y1: 504 }],
    source: 'QwenLM/Qwen3-VL issue #1137 (Qwen2.5-VL grounding answer, absolute pixels)',
  },
  {
    format: 'qwen3-vl',
    text: 'Fractures <box>[[156, 516, 231, 607], [690, 511, 765, 601]]</box>',
    frame: plain({ width: 1000, height: 1000 }),
    expected: [
      { label: 'Fractures', x0: 156, y0: 516, x1: 231, y1: 607 },
      { label: 'Fractures', x0: 690, y0: 511, x1: 765, y1: 601 },
    ],
    source: 'genmilab/MedMO README grounding answer (first box verbatim, second added)',
  },
  {
    format: 'medgemma',
    text: 'Final Answer: [{"box_2d": [182, 110, 808, 882], "label": "headphones"}]',
    frame: plain({ width: 1000, height: 1000 }),
    expected: [{ label: 'headphones', x0: 110, y0: 182, x1: 882, y1: 808 }],
    source:
      'a Gemma-family box_2d answer quoted in a public project’s notes (the format MedGemma’s notebook asks for after "Final Answer:")',
  },
  {
    format: 'medrega',
    text: '<ref>circle</ref><box>[[278,24,354,100],[515,10,611,106],[174,299,228,353],[407,415,489,497]]</box>',
    frame: plain({ width: 999, height: 999 }),
    expected: [
      { label: 'circle', x0: 278, y0: 24, x1: 354, y1: 100 },
      { label: 'circle', x0: 515, y0: 10, x1: 611, y1: 106 },
      { label: 'circle', x0: 174, y0: 299, x1: 228, y1: 353 },
      { label: 'circle', x0: 407, y0: 415, x1: 489, y1: 497 },
    ],
    source:
      'InternVL grounding answer (the <ref>/<box> syntax MedRegA inherits, 0-999) from a public grounding dataset’s assistant turn',
  },
  ...(
    [
      [
        '<ref>carotid vessel wall</ref><box>[[365, 293, 416, 598], [596, 316, 635, 464]]</box>',
        { width: 432, height: 432 },
        'demo_06.jpg, 432×432',
      ],
      [
        '<ref>right lung</ref><box>[[102, 106, 481, 910]]</box>, <ref>left lung</ref><box>[[535, 128, 923, 889]]</box>: No focal consolidation, pleural effusion, or pneumothorax is seen. There is no evidence for pulmonary edema. No radiographic evidence for acute cardiopulmonary process',
        CXR,
        'demo_08.jpg, its size not in the file: at the chest PA’s',
      ],
      [
        '<ref>胰腺癌</ref><box>[[661, 528, 743, 599]]</box>：胰尾部见一稍低密度肿块，约39mm×28mm×36mm，增强后呈轻度不均匀强化，强化程度低于正常胰腺考虑恶性肿瘤性病变，胰腺癌可能性大。',
        { width: 512, height: 512 },
        'demo_09.jpg, 512×512',
      ],
    ] as const
  ).map(([text, image, what]): Sample => ({
    format: 'medrega',
    text,
    frame: plain(image),
    expected: internVlBoxes(text, image),
    source: `xmed-lab/MedRegA demo_data/data_file.jsonl (assistant turn for ${what}); evaluator_reg.py process_box: x/999·w, y/999·h`,
  })),
  {
    format: 'medrega',
    text: ASMV2_SCENE_GRAPH,
    frame: BEETLE,
    // Only <ref>…</ref><box> pairs are objects: boxes after <pred> are relations in extract_objects.
    expected: internVlBoxes(ASMV2_SCENE_GRAPH, BEETLE.image),
    source:
      'OpenGVLab/all-seeing all-seeing-v2/scripts_asmv2/visualize_rec.py scene_graph_caption (ASMv2, the <ref>/<box> 0–999 syntax); its draw_box: x/999·w at a stated 640×480',
  },
  {
    format: 'qwen2.5-vl',
    text: '[19, 300, 154, 476]',
    frame: plain({ width: 368, height: 434 }, { width: 364, height: 448 }),
    // The cookbook's plot_bounding_boxes: x/input_width·width; y1 (476 > 448) leaves the image and is clipped.
    expected: [{ label: '', x0: (19 / 364) * 368, y0: (300 / 448) * 434, x1: (154 / 364) * 368, y1: 434 }],
    source: 'QwenLM/Qwen3-VL issue #1035 (Qwen2.5-VL-7B answer on a 368×434 image, smart_resize 364×448)',
  },
  {
    format: 'qwen2.5-vl',
    text: '<think>\nThe image shows a man standing on a concrete path next to a body of water, with a boat visible in the background.\n</think>\n<answer>{"bbox_2d": [368, 1, 475, 330], "label": "man wearing blue shirt and shorts"}</answer>',
    frame: plain(BEETLE.image, { width: 644, height: 476 }),
    expected: [
      {
        label: 'man wearing blue shirt and shorts',
        x0: (368 / 644) * 640,
        y0: (1 / 476) * 480,
        x1: (475 / 644) * 640,
        y1: (330 / 476) * 480,
      },
    ],
    source:
      'om-ai-lab/VLM-R1 issue #99 (a Qwen2.5-VL-3B R1 fine-tune’s answer, think shortened); cookbook rule at a stated 640×480 → 644×476',
  },
  {
    format: 'plain',
    text: 'Nodule: [10, 20, 110, 220] in the right lung.',
    frame: plain({ width: 512, height: 512 }),
    expected: [{ label: 'Nodule', x0: 10, y0: 20, x1: 110, y1: 220 }],
    source: 'plain list in prose (no model’s syntax: constructed)',
  },
];

describe('box formats on published answers', () => {
  for (const { format, text, frame, task, expected, tolerance = 0.001, source } of SAMPLES) {
    it(`${format}: ${source}`, () => {
      const boxes = BOX_FORMATS[format]!.parse(text, frame, task);
      expect(boxes).toHaveLength(expected.length);
      boxes.forEach((box, i) => {
        const want = expected[i]!;
        expect(box.label).toBe(want.label);
        for (const k of ['x0', 'y0', 'x1', 'y1'] as const)
          expect(Math.abs(box[k] - want[k]!), `${k}: ${box[k]} vs ${want[k]}`).toBeLessThanOrEqual(tolerance);
      });
      // Every streamed prefix gives a subset of the final boxes, in order, never a box of its own.
      for (let n = 0; n < text.length; n += Math.max(1, Math.floor(text.length / 97))) {
        const partial = BOX_FORMATS[format]!.parse(text.slice(0, n), frame, task);
        expect(partial.length).toBeLessThanOrEqual(boxes.length);
        partial.slice(0, -1).forEach((b, i) => expect(b).toEqual(boxes[i]));
      }
    });
  }
});

describe('malformed and half-streamed answers never throw and never leave the image', () => {
  const image = { width: 300, height: 200 };
  const frame = plain(image, image);
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
        const boxes = BOX_FORMATS[format]!.parse(text, frame);
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
        'qwen-vl': '<ref>a</ref><box>(10,20),(30,40)',
        'qwen2-vl': '<|box_start|>(10,20),(30,40)',
        'qwen2.5-vl': '{"bbox_2d": [10, 20, 30, 40], "lab',
        'qwen3-vl': '<box>[[10, 20, 30, 40]',
        medgemma: '{"box_2d": [10, 20, 30',
        medrega: '<ref>a</ref><box>[[1, 2, 3, 4]]',
        paligemma: '<loc0010><loc0020><loc0030>',
        plain: '[10, 20, 30',
      }[format]!;
      expect(BOX_FORMATS[format]!.parse(half, frame)).toEqual([]);
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
  /** Qwen2.5-VL's processor output for these images, worked by hand from qwen_vl_utils smart_resize
   * with the published preprocessor config (factor 28, max_pixels 12,845,056): both within budget. */
  const qwen25Input = (im: ImageSize) =>
    im.width === 512 ? { width: 504, height: 504 } : { width: 1484, height: 1204 };
  const encode: Record<string, (b: number[], im: ImageSize) => string> = {
    florence2: ([x0, y0, x1, y1], im) =>
      `finding${[x0! / im.width, y0! / im.height, x1! / im.width, y1! / im.height].map((v) => `<loc_${Math.min(999, Math.floor(v * 1000))}>`).join('')}`,
    'qwen2-vl': ([x0, y0, x1, y1], im) =>
      `<|object_ref_start|>finding<|object_ref_end|><|box_start|>(${r((x0! / im.width) * 1000)},${r((y0! / im.height) * 1000)}),(${r((x1! / im.width) * 1000)},${r((y1! / im.height) * 1000)})<|box_end|>`,
    'qwen2.5-vl': ([x0, y0, x1, y1], im) => {
      const resized = qwen25Input(im);
      const sx = resized.width / im.width;
      const sy = resized.height / im.height;
      return `\`\`\`json\n[{"bbox_2d": [${r(x0! * sx)}, ${r(y0! * sy)}, ${r(x1! * sx)}, ${r(y1! * sy)}], "label": "finding"}]\n\`\`\``;
    },
    'qwen3-vl': ([x0, y0, x1, y1], im) =>
      `finding <box>[[${r((x0! / im.width) * 1000)}, ${r((y0! / im.height) * 1000)}, ${r((x1! / im.width) * 1000)}, ${r((y1! / im.height) * 1000)}]]</box>`,
    medgemma: ([x0, y0, x1, y1], im) => {
      const side = Math.max(im.width, im.height);
      const px = Math.floor((side - im.width) / 2);
      const py = Math.floor((side - im.height) / 2);
      const q = (v: number, pad: number) => r(((v + pad) / side) * 1000);
      return `Final Answer: [{"box_2d": [${q(y0!, py)}, ${q(x0!, px)}, ${q(y1!, py)}, ${q(x1!, px)}], "label": "finding"}]`;
    },
    'qwen-vl': ([x0, y0, x1, y1], im) =>
      `<ref>finding</ref><box>(${r((x0! / im.width) * 1000)},${r((y0! / im.height) * 1000)}),(${r((x1! / im.width) * 1000)},${r((y1! / im.height) * 1000)})</box>`,
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

  for (const format of Object.keys(encode)) {
    for (const c of cases) {
      it(`${format} on ${c.name}`, () => {
        const frame: ImageFrame = {
          image: c.image,
          padding: format === 'medgemma' ? 'centre-square' : 'none',
          input: qwen25Input(c.image),
        };
        const [box] = BOX_FORMATS[format]!.parse(encode[format]!(c.box, c.image), frame);
        expect(box?.label).toBe('finding');
        expect(iou(box!, c.box)).toBeGreaterThanOrEqual(0.95);
      });
    }
  }
});
