import { beforeAll, describe, expect, it } from 'vitest';
import { installDawn } from '../../bench/gpu/dawn.mjs';
import { gpuPreprocessable } from '../../src/lib/models/gpu-preprocess';
import { entry, FAMILIES, present, queued, run } from './contract-run';

// The same golden masks as contracts.test.ts, from each family's own Python pipeline, made by the
// engine on WebGPU: Dawn over lavapipe (Mesa ≥ 24, which .ci/run installs). The encoder input
// comes from gpu-preprocess.ts's shaders, the embedding stays on the GPU, the decoder runs with
// DecoderIo and, for masksFromLowRes entries, is told the image is 1 × 1.
const WEBGPU = { provider: 'webgpu', threads: 1, shaderF16: false, reason: 'test' } as const;

let adapter = '';
beforeAll(async () => {
  const { gpu, why } = await installDawn();
  const found = await gpu?.requestAdapter();
  adapter = found ? `${found.info.vendor} ${found.info.description}` : why || 'Dawn found no adapter';
});

describe.runIf(present).each(FAMILIES)('$folder against $model, on WebGPU', ({ folder, model, dice: threshold }) => {
  const right = queued(() => run(folder, entry(model), WEBGPU));

  it(`reproduces every golden mask with Dice ≥ ${threshold}`, { timeout: 180_000 }, async () => {
    expect(adapter, 'lavapipe from Mesa ≥ 24 is needed (.ci/run installs it)').toMatch(/mesa|llvmpipe/i);
    const { cases, gpuPreprocessed } = await right();
    expect(gpuPreprocessed).toBe(gpuPreprocessable(entry(model)));
    for (const [name, c] of Object.entries(cases)) expect(c.dice, name).toBeGreaterThanOrEqual(threshold);
  });
});
