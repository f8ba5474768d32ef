import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { parseManifest, type VlmModel } from '../../src/lib/models/manifest';
import { checkBackend, chooseDtype, filesFor } from '../../src/lib/models/vlm-files';

const models = parseManifest(JSON.parse(readFileSync(new URL('../../models/manifest.json', import.meta.url), 'utf8')));
const entry = (id: string) => models.find((m) => m.id === id) as VlmModel;

it('gives Gemma 3 (MedGemma) fp32-compute weights on WebGPU even with shader-f16, others fp16', () => {
  // A Gemma 3 build that also offered q4f16 (the community build the manifest names offers q4 only).
  const medgemma = { ...entry('medgemma-4b-it'), dtypes: ['q4f16', 'q4'] };
  const smol = entry('smolvlm-256m-instruct');
  expect(chooseDtype(medgemma, 'webgpu', true)).toBe('q4');
  expect(chooseDtype(smol, 'webgpu', true)).toBe('q4f16');
  expect(chooseDtype(smol, 'webgpu', false)).toBe('q4');
  expect(chooseDtype(smol, 'wasm', true)).toBe('q4');
});

it('refuses a 4B model on WASM with the reason, and lets smaller ones and WebGPU through', () => {
  const medgemma = entry('medgemma-4b-it');
  expect(() => checkBackend(medgemma, 'wasm')).toThrow(
    'MedGemma 4B (instruction-tuned) has 4.3 billion parameters: too large to run on WASM (the limit is 3 billion). It needs a GPU with WebGPU.',
  );
  expect(() => checkBackend(medgemma, 'webgpu')).not.toThrow();
  expect(() => checkBackend(entry('qwen2-vl-2b-instruct'), 'wasm')).not.toThrow();
});

it('takes a graph’s external-data shards with it, and no other variant’s', () => {
  const model = {
    ...entry('test-medgemma-tiny'),
    dtypes: ['q4', 'fp32'],
    files: [
      'config.json',
      'onnx/decoder_model_merged_q4.onnx',
      'onnx/decoder_model_merged_q4.onnx_data',
      'onnx/decoder_model_merged_q4.onnx_data_1',
      'onnx/decoder_model_merged.onnx',
      'onnx/decoder_model_merged.onnx_data',
    ].map((name) => ({ name, size: null, sha256: null })),
  };
  expect(filesFor(model, 'q4').map((f) => f.name)).toEqual([
    'config.json',
    'onnx/decoder_model_merged_q4.onnx',
    'onnx/decoder_model_merged_q4.onnx_data',
    'onnx/decoder_model_merged_q4.onnx_data_1',
  ]);
  expect(filesFor(model, 'fp32').map((f) => f.name)).toEqual([
    'config.json',
    'onnx/decoder_model_merged.onnx',
    'onnx/decoder_model_merged.onnx_data',
  ]);
});
