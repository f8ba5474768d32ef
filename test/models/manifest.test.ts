import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { displayName, parseManifest, type SegmentationModel } from '../../src/lib/models/manifest';

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
  expect(() => parseManifest({ models: [entry, entry] })).toThrow(/duplicate id/);
  expect(() => parseManifest({})).toThrow(/no "models" array/);
});
