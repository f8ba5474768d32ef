import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import api from '../../workers/vlm.worker';
import { parseManifest, type VlmModel } from '../../src/lib/models/manifest';
import { BOX_FORMATS, type GroundedBox } from '../../src/lib/grounding';
import { answerBoxes } from '../../src/lib/models/answer-boxes';
import type { StreamedAnswer } from '../../src/lib/models/vlm-session';
import { serveModels } from '../models/model-server';

const models = parseManifest(JSON.parse(readFileSync(new URL('../../models/manifest.json', import.meta.url), 'utf8')));
const fixture = models.find((m) => m.id === 'test-medgemma-tiny') as VlmModel;
let server: Awaited<ReturnType<typeof serveModels>>;

beforeAll(async () => {
  server = await serveModels();
});
afterAll(async () => {
  await api.dispose();
  await server?.close();
});

/** A 512×512 grey image, as the viewer would hand over the displayed TBX11K film. */
const image = () => ({ width: 512, height: 512, rgba: new Uint8ClampedArray(512 * 512 * 4).fill(128) });

it('loads the fixture VLM from the local server and streams its grounding answer', async () => {
  const progress: string[] = [];
  const info = await api.load(fixture, server.baseUrl, 'auto', (p) => progress.push(p.file));
  expect(info).toMatchObject({
    device: 'cpu',
    dtype: 'fp32',
    model: expect.stringMatching(/test model, random weights/),
  });
  expect(server.requests).toEqual(
    expect.arrayContaining(['test-medgemma-tiny/onnx/decoder_model_merged.onnx', 'test-medgemma-tiny/tokenizer.json']),
  );

  const partial: string[] = [];
  const beforeGenerate = server.requests.length;
  const result = await api.generate(
    { image: image(), system: fixture.systemPrompt, history: [], question: 'Where is the tuberculosis?' },
    (t) => partial.push(t.raw),
  );
  expect(result.text).toBe(
    'The opacity is in the right upper zone.\nFinal Answer: [{"box_2d": [248, 746, 335, 824], "label": "active tuberculosis"}]',
  );
  // Decoded with special tokens kept (box markers are special tokens in some families); the
  // text a user reads drops them. The processor's output size comes back for the parsers.
  expect(result.raw).toBe(`${result.text}<end_of_turn>`);
  expect(result.input).toEqual({ width: 32, height: 32 });
  expect(result.tokens).toBe(result.text.length + 1); // one token per character, then <end_of_turn>
  // Every file came through the checked loader, once: transformers.js fetched nothing itself
  // (no file outside the manifest, none twice), neither while loading nor while answering.
  const listed = fixture.files.map((f) => `test-medgemma-tiny/${f.name}`);
  expect(
    server.requests.every((path) => listed.includes(path)),
    server.requests.join(', '),
  ).toBe(true);
  expect(new Set(server.requests).size).toBe(server.requests.length);
  expect(server.requests.length).toBe(beforeGenerate);
  expect(partial.length).toBeGreaterThan(3);
  expect(partial.every((p) => result.raw.startsWith(p))).toBe(true);

  // The parser finds the box only once its JSON is complete, and maps it to TBX11K's box.
  const frame = { image: { width: 512, height: 512 }, padding: fixture.imagePadding };
  const boxes = partial.map((p) => BOX_FORMATS.medgemma!.parse(p, frame).length);
  expect(boxes[0]).toBe(0);
  const [box] = BOX_FORMATS.medgemma!.parse(result.raw, frame);
  expect(box).toMatchObject({ label: 'active tuberculosis' });
  expect(box!.x0).toBeCloseTo(381.95, 1);
  expect(box!.y1).toBeCloseTo(171.52, 1);
});

it('puts the conversation so far into a follow-up’s prompt', async () => {
  const ask = (question: string, history: { role: 'user' | 'assistant'; text: string }[]) =>
    api.generate({ image: image(), system: fixture.systemPrompt, history, question }, () => {});
  const first = await ask('Describe.', []);
  const second = await ask('Where?', [
    { role: 'user', text: 'Describe.' },
    { role: 'assistant', text: first.raw },
  ]);
  // Gemma 3's chat template (the fixture's chat_template.jinja), with the image in the first turn.
  expect(second.prompt).toBe(
    `<bos><start_of_turn>user\n<start_of_image>${fixture.systemPrompt}\n\nDescribe.<end_of_turn>\n` +
      `<start_of_turn>model\n${first.text}<end_of_turn>\n` +
      `<start_of_turn>user\nWhere?<end_of_turn>\n<start_of_turn>model\n`,
  );
  expect(first.prompt).toBe(
    `<bos><start_of_turn>user\n<start_of_image>${fixture.systemPrompt}\n\nDescribe.<end_of_turn>\n<start_of_turn>model\n`,
  );
});

it('refuses a model whose files do not match the manifest', async () => {
  const tampered = {
    ...fixture,
    files: fixture.files.map((f) => (f.name === 'tokenizer.json' ? { ...f, sha256: '0'.repeat(64) } : f)),
  };
  await expect(api.load(tampered, server.baseUrl, 'auto', () => {})).rejects.toThrow(
    /tokenizer\.json from http:\/\/127\.0\.0\.1:\d+\/models\/test-medgemma-tiny\/tokenizer\.json has sha256 [0-9a-f]{64}, the manifest says 0{64}/,
  );
});

it('never lets transformers.js fetch a file the checked loader did not bring', async () => {
  // An entry that forgot a file the model needs: before, transformers.js fetched it itself from
  // the model folder, unchecked. Now it is missing for it, and the load fails with that name.
  const forgetful: VlmModel = { ...fixture, files: fixture.files.filter((f) => f.name !== 'preprocessor_config.json') };
  const before = server.requests.length;
  await api.dispose();
  await expect(api.load(forgetful, server.baseUrl, 'auto', () => {})).rejects.toThrow(/preprocessor_config\.json/);
  expect(server.requests.slice(before)).not.toContain('test-medgemma-tiny/preprocessor_config.json');
});

it('stops with a clear message when the logits turn NaN, and the next model still answers', async () => {
  const nan = models.find((m) => m.id === 'test-medgemma-nan') as VlmModel;
  await api.load(nan, server.baseUrl, 'auto', () => {});
  const streamed: string[] = [];
  await expect(
    api.generate({ image: image(), system: nan.systemPrompt, history: [], question: 'Describe.' }, (a) =>
      streamed.push(a.text),
    ),
  ).rejects.toThrow(
    /MedGemma-architecture fixture whose logits turn NaN \(test model, random weights\) \(cpu, fp32\) produced NaN logits at token 4: generation stopped/,
  );
  expect(streamed.join('')).not.toMatch(/[^ -~\n]/); // nothing but the fixture's characters reached the panel
  await api.load(fixture, server.baseUrl, 'auto', () => {});
  const after = await api.generate(
    { image: image(), system: fixture.systemPrompt, history: [], question: 'Where?' },
    () => {},
  );
  expect(after.text).toMatch(/^The opacity/);
});

describe('a box the fixture finds in the image lands on it, in each family’s convention', () => {
  // 320×160, dark, with a bright block at x 120…200, y 50…100: non-square, so padding and
  // stretching move the box if the pipeline and the parser disagree.
  const blob = { x0: 120, y0: 50, x1: 200, y1: 100 };
  const wide = () => {
    const rgba = new Uint8ClampedArray(320 * 160 * 4);
    for (let y = 0; y < 160; y++)
      for (let x = 0; x < 320; x++) {
        const v = x >= blob.x0 && x < blob.x1 && y >= blob.y0 && y < blob.y1 ? 240 : 30;
        rgba.set([v, v, v, 255], (y * 320 + x) * 4);
      }
    return { width: 320, height: 160, rgba };
  };
  const within2Percent = (box: GroundedBox | undefined) => {
    expect(box).toBeDefined();
    expect(Math.abs(box!.x0 - blob.x0)).toBeLessThanOrEqual(0.02 * 320);
    expect(Math.abs(box!.x1 - blob.x1)).toBeLessThanOrEqual(0.02 * 320);
    expect(Math.abs(box!.y0 - blob.y0)).toBeLessThanOrEqual(0.02 * 160);
    expect(Math.abs(box!.y1 - blob.y1)).toBeLessThanOrEqual(0.02 * 160);
  };

  // The Gemma 3 fixtures echo the four characters after the question's first '"' as the label;
  // Florence-2's, the last four of its task prompt (the phrase to ground).
  const cases = [
    ['test-vlm-blob-medgemma', 'Where is the "mass"?'],
    ['test-vlm-blob-fraction', 'Where is the "mass"?'],
    ['test-vlm-blob-pixels', 'Where is the "mass"?'],
    ['test-vlm-blob-qwen25', 'Where is the "mass"?'],
    ['test-florence2-blob', '<CAPTION_TO_PHRASE_GROUNDING>mass'],
  ];
  for (const [id, question] of cases) {
    it(id!, async () => {
      const model = models.find((m) => m.id === id) as VlmModel;
      await api.load(model, server.baseUrl, 'auto', () => {});
      const streamed: StreamedAnswer[] = [];
      const result = await api.generate(
        { image: wide(), system: model.systemPrompt, history: [], question: question! },
        (a) => streamed.push(a),
      );
      const [box] = answerBoxes(model, result, { width: 320, height: 160 }, question!);
      within2Percent(box);
      expect(box!.label).toBe('mass');
      // Streamed answers draw the same box once it is complete.
      expect(answerBoxes(model, streamed.at(-1)!, { width: 320, height: 160 }, question!)).toEqual([box]);
      // Read under the other padding assumption, the same answer misses by more than 2%.
      const other = model.imagePadding === 'none' ? 'centre-square' : 'none';
      const [wrong] = answerBoxes({ ...model, imagePadding: other }, result, { width: 320, height: 160 }, question!);
      expect(() => within2Percent(wrong)).toThrow();
    });
  }

  it('Qwen2.5-VL answers in pixels of the size its loaded processor resized to, not of a fixed budget', async () => {
    const model = models.find((m) => m.id === 'test-vlm-blob-qwen25') as VlmModel;
    await api.load(model, server.baseUrl, 'auto', () => {});
    const result = await api.generate(
      { image: wide(), system: model.systemPrompt, history: [], question: 'Where is the "mass"?' },
      () => {},
    );
    // smart_resize(160, 320) with the fixture's min_pixels (95,000): enlarged to 224 × 448, in
    // multiples of 28 (qwen_vl_utils / transformers.js image_processors_utils.js).
    expect(result.input).toEqual({ width: 448, height: 224 });
    expect(result.raw).toBe('{"bbox_2d": [168, 70, 280, 140], "label": "mass"}<|im_end|>');
    // Read as pixels of the image itself (as if nothing were resized), the same answer misses; with
    // no resized size at all, nothing is drawn rather than guessed.
    const image = { width: 320, height: 160 };
    const [asIfOriginal] = answerBoxes(model, { raw: result.raw, input: image }, image, 'mass');
    expect(asIfOriginal).toBeDefined();
    expect(() => within2Percent(asIfOriginal)).toThrow();
    expect(answerBoxes(model, { raw: result.raw }, image, 'mass')).toEqual([]);
  });

  it('Florence-2 gets the task alone, as its processor words it, and its <loc_N> tokens are kept for the parser', async () => {
    const model = models.find((m) => m.id === 'test-florence2-blob') as VlmModel;
    await api.load(model, server.baseUrl, 'auto', () => {});
    const streamed: StreamedAnswer[] = [];
    const result = await api.generate(
      {
        image: wide(),
        system: 'A system prompt Florence-2 never sees.',
        history: [
          { role: 'user', text: '<CAPTION>' },
          { role: 'assistant', text: 'an earlier answer' },
        ],
        question: '<CAPTION_TO_PHRASE_GROUNDING>mass',
      },
      (a) => streamed.push(a),
    );
    // processing_florence2's task table, through the processor: no system prompt, no history.
    expect(result.prompt).toBe('Locate the phrases in the caption: mass');
    // <s> forced by the generation config (forced_bos_token_id), four bins, </s>: every token
    // kept in `raw`; the bins are special tokens, so the text a user reads is the label.
    expect(result.raw).toMatch(/^<s>mass(<loc_\d+>){4}<\/s>$/);
    expect(result.text).toBe('mass');
    // Bins of the 128² stretched input, floor(edge · 1000 / 128): x 120…200 of 320 → 375…625.
    expect([...result.raw.matchAll(/<loc_(\d+)>/g)].map((m) => Number(m[1]))).toEqual([375, 312, 625, 625]);
    const boxes = streamed.map((a) =>
      answerBoxes(model, a, { width: 320, height: 160 }, '<CAPTION_TO_PHRASE_GROUNDING>mass'),
    );
    expect(boxes[0]).toEqual([]);
    expect(boxes.at(-1)).toHaveLength(1);
  });
});
