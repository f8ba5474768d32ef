import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import {
  applyLock,
  displayName,
  fetchManifest,
  modelSummary,
  parseManifest,
  type SegmentationModel,
} from '../../src/lib/models/manifest';
import { serveHub } from './model-server';

const json = JSON.parse(readFileSync(new URL('../../models/manifest.json', import.meta.url), 'utf8'));

it('parses the shipped manifest, with every required family present', () => {
  const all = parseManifest(json);
  const models = all.filter((m): m is SegmentationModel => m.task === 'segmentation');
  const ids = models.map((m) => m.id);
  expect(ids).toEqual(
    expect.arrayContaining([
      'medsam-vit-b',
      'litemedsam',
      'sam-vit-b',
      'mobilesam',
      'test-sam-tiny',
      'test-litemedsam-tiny',
    ]),
  );
  expect(all.map((m) => m.id)).toEqual(expect.arrayContaining(['test-medgemma-tiny', 'medgemma-4b-it']));
  for (const m of all) {
    expect(displayName(m).includes('test model, random weights')).toBe(m.fixture);
    expect(m.licence.length).toBeGreaterThan(0);
    expect(m.citation.length).toBeGreaterThan(0);
  }
  // MedSAM and LiteMedSAM normalise min-max, not ImageNet (MedSAM_Inference.py, CVPR24_LiteMedSAM_infer.py).
  expect(models.find((m) => m.id === 'medsam-vit-b')?.preprocessing.normalize).toBe('min-max');
  expect(models.find((m) => m.id === 'litemedsam')?.decoder).toMatchObject({
    pointCoords: 'batched_point_coords',
    origSizeType: 'int64',
  });
  expect(models.find((m) => m.id === 'litemedsam')?.decoder.maskInput).toBeUndefined();
});

it('refuses entries that would break loading, saying where', () => {
  const entry = structuredClone(json.models[0]);
  expect(() => parseManifest({ models: [{ ...entry, id: 'Bad Id' }] })).toThrow(/models\[0\].*id must be/);
  expect(() => parseManifest({ models: [{ ...entry, files: [{ name: '../x', size: 1, sha256: null }] }] })).toThrow(
    /not a plain relative path/,
  );
  expect(() => parseManifest({ models: [{ ...entry, encoder: { ...entry.encoder, file: 'missing.onnx' } }] })).toThrow(
    /missing\.onnx is not among its files/,
  );
  const moving = 'https://huggingface.co/schmuell/sam-b-fp16/resolve/main/sam_vit_b_01ec64.decoder.onnx';
  expect(() => parseManifest({ models: [{ ...entry, files: [{ ...entry.files[0], url: moving }] }] })).toThrow(
    /url must be https:\/\/huggingface\.co\/<repo>\/resolve\/<40-hex commit>/,
  );
  expect(() => parseManifest({ models: [entry, entry] })).toThrow(/duplicate id/);
  expect(() => parseManifest({})).toThrow(/no "models" array/);
  // Each decoder contract with the inputs and outputs it needs.
  const tjs = structuredClone(json.models.find((m: { id: string }) => m.id === 'test-sam-tjs'));
  expect(() => parseManifest({ models: [{ ...tjs, encoder: { ...tjs.encoder, positional: undefined } }] })).toThrow(
    /transformers\.js’ SAM layout needs positional embeddings/,
  );
  const { origSize: _, ...noSize } = entry.decoder;
  expect(() => parseManifest({ models: [{ ...entry, decoder: noSize }] })).toThrow(/needs origSize/);
});

it('pins every real download to a hub commit, with the size and sha256 the hub published', () => {
  const all = parseManifest(json);
  const byId = (id: string) => all.find((m) => m.id === id)!;
  for (const id of ['sam-vit-b', 'sam-vit-b-int8']) {
    for (const f of byId(id).files) {
      expect(f.url).toMatch(/^https:\/\/huggingface\.co\/[\w.-]+\/[\w.-]+\/resolve\/[0-9a-f]{40}\//);
      expect(f.size).toBeGreaterThan(1_000_000);
      expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
  }
  // The values the hub's LFS pointers give at the pinned commits (issue #9).
  expect(byId('sam-vit-b').files[0]).toMatchObject({
    size: 179_955_678,
    sha256: '97f9262bec94062b7ab40abb05cc2a5aecd8450460ac81c11b134dd9895fbc2f',
  });
  expect(byId('sam-vit-b-int8').files[1]).toMatchObject({
    size: 4_741_384,
    sha256: 'b07ace080d0d969c98f6fed06a4a8049668e6c6391907edd1b8ceb2b676fc064',
  });
});

it("tells the user each entry's size, licence and whether it can be downloaded, pinned or first-use", () => {
  const all = parseManifest(json);
  const byId = (id: string) => all.find((m) => m.id === id)!;
  expect(modelSummary(byId('sam-vit-b-int8'))).toBe('100 MB · Apache-2.0 · downloadable, sha256 pinned');
  expect(modelSummary(byId('test-sam-tiny'))).toBe('5.6 kB · Apache-2.0 · files supplied by the deployment');
  expect(modelSummary(byId('medsam-vit-b'))).toBe('size unknown · Apache-2.0 · files supplied by the deployment');
  const firstUse = { ...byId('sam-vit-b'), files: byId('sam-vit-b').files.map((f) => ({ ...f, sha256: null })) };
  expect(modelSummary(firstUse)).toBe('187 MB · Apache-2.0 · downloadable, sha256 recorded on first download');
  expect(modelSummary(byId('smolvlm-256m-instruct'))).toBe(
    'size unknown · Apache-2.0 · downloadable, sha256 recorded on first download',
  );
  expect(modelSummary(byId('medgemma-4b-it'))).toMatch(
    / · files supplied by the deployment · ONNX files: a community ONNX build by geeek, not published by Google$/,
  );
});

it('pins the VLM entries a user can download to a commit, one file list per weight variant', () => {
  const all = parseManifest(json);
  for (const id of ['smolvlm-256m-instruct', 'qwen2-vl-2b-instruct', 'florence-2-base-ft']) {
    const model = all.find((m) => m.id === id)!;
    expect(
      model.files.every((f) => /\/resolve\/[0-9a-f]{40}\//.test(f.url ?? '')),
      id,
    ).toBe(true);
  }
  const smol = all.find((m) => m.id === 'smolvlm-256m-instruct')!;
  expect(smol.files.map((f) => f.url)).toContain(
    'https://huggingface.co/HuggingFaceTB/SmolVLM-256M-Instruct/resolve/acc054744d60adea9d88214dab6e2219e6e512a7/chat_template.json',
  );
  expect(smol.files.map((f) => f.name)).not.toContain('chat_template.jinja');
  // Florence-2 in its four-graph layout, prompted with task tokens (no chat template).
  const florence = all.find((m) => m.id === 'florence-2-base-ft')!;
  expect(florence.files.filter((f) => f.name.startsWith('onnx/')).map((f) => f.name)).toEqual([
    'onnx/vision_encoder.onnx',
    'onnx/embed_tokens.onnx',
    'onnx/encoder_model.onnx',
    'onnx/decoder_model_merged.onnx',
  ]);
  expect(florence.task === 'vlm' && florence.tasks?.map((t) => t.prompt)).toContain(
    '<CAPTION_TO_PHRASE_GROUNDING>{finding}',
  );
});

it('refuses task lists whose prompts do not start with a task token', () => {
  const entry = json.models.find((m: { id: string }) => m.id === 'test-florence2-blob');
  expect(() =>
    parseManifest({ models: [{ ...entry, tasks: [{ label: 'Locate', prompt: 'find {finding}' }] }] }),
  ).toThrow(/models\[0\].*tasks must list \{ label, prompt \}/);
  expect(() => parseManifest({ models: [{ ...entry, tasks: [] }] })).toThrow(/tasks must list/);
  expect(parseManifest({ models: [entry] })[0]).toMatchObject({
    tasks: expect.arrayContaining([{ label: 'Detect', prompt: '<OD>' }]),
  });
});

it('refuses a file of 2 GiB or more: such weights must come as external-data shards', () => {
  const entry = json.models.find((m: { id: string }) => m.id === 'test-medgemma-tiny');
  const big = {
    ...entry,
    files: [...entry.files, { name: 'onnx/decoder_model_merged.onnx_data', size: 2 ** 31, sha256: null }],
  };
  expect(() => parseManifest({ models: [big] })).toThrow(
    /onnx\/decoder_model_merged\.onnx_data: size must be a byte count under 2 GiB/,
  );
  const shards = {
    ...entry,
    files: [
      ...entry.files,
      { name: 'onnx/decoder_model_merged.onnx_data', size: 2 ** 31 - 1, sha256: null },
      { name: 'onnx/decoder_model_merged.onnx_data_1', size: 1000, sha256: null },
    ],
  };
  expect(parseManifest({ models: [shards] })).toHaveLength(1);
});

it('holds a first-use file to the hash its first download recorded (models.lock.json beside the manifest)', async () => {
  const entry = json.models.find((m: { id: string }) => m.id === 'smolvlm-256m-instruct');
  const config = entry.files.find((f: { name: string }) => f.name === 'config.json');
  const recorded = { size: 7350, sha256: 'ab'.repeat(32) };
  const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
  const host = await serveHub({
    'models/manifest.json': encode({ models: [entry] }),
    'models/models.lock.json': encode({ [entry.id]: { 'config.json': recorded } }),
  });
  try {
    const [locked] = await fetchManifest(`${host.origin}/models/`);
    expect(locked!.files.find((f) => f.name === 'config.json')).toEqual({ ...config, ...recorded });
    expect(locked!.files.filter((f) => f.sha256 !== null)).toHaveLength(1);
  } finally {
    await host.close();
  }
  // No lock yet (404): the manifest as it is.
  const bare = await serveHub({ 'models/manifest.json': encode({ models: [entry] }) });
  try {
    const [unlocked] = await fetchManifest(`${bare.origin}/models/`);
    expect(unlocked!.files.every((f) => f.sha256 === null)).toBe(true);
  } finally {
    await bare.close();
  }
  expect(() =>
    applyLock(parseManifest({ models: [entry] }), { [entry.id]: { 'config.json': { size: 1, sha256: 'x' } } }),
  ).toThrow(/models\.lock\.json \(smolvlm-256m-instruct\).*config\.json: a record needs size and sha256/);
});
