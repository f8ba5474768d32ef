import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { runnableEntry, type Capabilities } from '../../src/lib/models/backend';
import { parseManifest, type SegmentationModel } from '../../src/lib/models/manifest';

const json = JSON.parse(readFileSync(new URL('../../models/manifest.json', import.meta.url), 'utf8'));
const models = parseManifest(json).filter((m): m is SegmentationModel => m.task === 'segmentation');
const fp16 = models.find((m) => m.id === 'sam-vit-b')!;
const caps = (webgpu: boolean, shaderF16: boolean): Capabilities => ({
  webgpu,
  shaderF16,
  maxStorageBufferBindingSize: 2 ** 30,
  crossOriginIsolated: false,
  cores: 2,
});

it('loads the int8 SAM where the fp16 one cannot run, and says so', () => {
  expect(runnableEntry(fp16, models, caps(true, true), 'auto')).toEqual({ model: fp16 });
  const noF16 = runnableEntry(fp16, models, caps(true, false), 'auto');
  expect(noF16.model.id).toBe('sam-vit-b-int8');
  expect(noF16.notice).toBe(
    'SAM (ViT-B, 1024, fp16 encoder) needs WebGPU with shader-f16, which this GPU (no shader-f16) lacks: loading SAM (ViT-B, 1024, int8) instead.',
  );
  expect(runnableEntry(fp16, models, caps(true, true), 'wasm').model.id).toBe('sam-vit-b-int8');
  expect(runnableEntry(fp16, models, caps(false, false), 'auto').notice).toMatch(/which WASM lacks/);
  // shader-f16, but buffers too small for its 768 MiB attention: WebGPU is not used, so neither is fp16.
  const small = { ...caps(true, true), maxStorageBufferBindingSize: 128 * 2 ** 20 };
  expect(runnableEntry(fp16, models, small, 'auto')).toMatchObject({
    model: { id: 'sam-vit-b-int8' },
    notice: expect.stringMatching(/which WASM lacks/),
  });
  const int8 = models.find((m) => m.id === 'sam-vit-b-int8')!;
  expect(runnableEntry(int8, models, caps(false, false), 'auto')).toEqual({ model: int8 });
});

it('refuses a stand-in that is missing or itself needs shader-f16', () => {
  const entries = json.models.map((m: { id: string }) =>
    m.id === 'sam-vit-b-int8' ? { ...m, needsShaderF16: true } : m,
  );
  expect(() => parseManifest({ models: entries })).toThrow(
    /withoutShaderF16 sam-vit-b-int8 is not a segmentation entry/,
  );
});
