import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { parseManifest, type VlmModel } from '../../src/lib/models/manifest';
import { chooseDtype } from '../../src/lib/models/vlm-files';

const models = parseManifest(JSON.parse(readFileSync(new URL('../../models/manifest.json', import.meta.url), 'utf8')));
const entry = (id: string) => models.find((m) => m.id === id) as VlmModel;

it('gives Gemma 3 (MedGemma) fp32-compute weights on WebGPU even with shader-f16, others fp16', () => {
  const medgemma = entry('medgemma-4b-it');
  const smol = entry('smolvlm-256m-instruct');
  expect(medgemma.dtypes).toContain('q4f16');
  expect(chooseDtype(medgemma, 'webgpu', true)).toBe('q4');
  expect(chooseDtype(smol, 'webgpu', true)).toBe('q4f16');
  expect(chooseDtype(smol, 'webgpu', false)).toBe('q4');
  expect(chooseDtype(smol, 'wasm', true)).toBe('q4');
});
