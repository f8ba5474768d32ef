import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

function bench(models: string): string {
  return execFileSync('npm', ['run', '--silent', 'bench:gpu'], {
    cwd: root,
    env: { ...process.env, BENCH_MODELS: models, DEC_RUNS: '3' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 150_000,
  });
}

// bench:gpu is what measures the engine on a GPU machine. Here it runs on lavapipe, Mesa's CPU
// Vulkan driver (Mesa ≥ 24: .ci/run installs it from bookworm-backports), so the app's engine
// runs on Dawn's WebGPU, on WASM and against onnxruntime-node in one run, as on a GPU.
describe('npm run bench:gpu', () => {
  it('runs the app’s engine on Dawn and WASM: same embedding and mask, and a prompt moves only its own bytes', () => {
    const out = bench('test-litemedsam-tiny');
    const adapter = out.match(/^adapter: (.*)$/m)?.[1];
    expect(adapter, 'no Dawn adapter: lavapipe from Mesa ≥ 24 is needed (.ci/run installs it)').toMatch(/^\{/);
    const wasm = out.match(
      /^\| test-litemedsam-tiny \| medlens engine, WASM \d+ threads \| [\d.]+ \/ [\d.]+ \| [\d.]+ \/ [\d.]+ \| embedding vs onnxruntime-node: ([\d.e+-]+) \|$/m,
    );
    expect(wasm, out).not.toBeNull();
    expect(Number(wasm![1])).toBeLessThan(1e-5);
    expect(out).toMatch(/^\| test-litemedsam-tiny \| onnxruntime-node CPU, \d+ threads \| /m);
    const gpu = out.match(
      /^\| test-litemedsam-tiny \| medlens engine, Dawn WebGPU \| [\d.]+ \/ [\d.]+ \| [\d.]+ \/ [\d.]+ \| embedding rel\. error ([\d.e+-]+), mask IoU ([\d.]+) \|$/m,
    );
    expect(gpu, out).not.toBeNull();
    expect(Number(gpu![1])).toBeLessThan(1e-4);
    expect(Number(gpu![2])).toBeGreaterThanOrEqual(0.99);
    // Its min-max statistics made by the shaders (gpu-preprocess.ts), WASM's in JS.
    expect(out).toMatch(/^\| test-litemedsam-tiny \| preprocessing in a shader /m);
    // Per prompt, as Dawn sees it and as the engine counts it: the next box's 16 bytes of
    // coordinates go up (the embedding and the other inputs are already there), the low-res
    // logits, IoU and this fixture's full-size mask come back, and the decoder's kernels run.
    const traffic = out.match(
      /^\| test-litemedsam-tiny \| (\d+) B up, (\d+) B down, (\d+) dispatches \| .* \| (\d+) \/ (\d+) B \|$/m,
    );
    expect(traffic, out).not.toBeNull();
    const [dawnUp, dawnDown, dispatches, engineUp, engineDown] = traffic!.slice(1).map(Number) as number[];
    expect(engineUp).toBe(16);
    expect(dispatches).toBeGreaterThan(10);
    expect(dawnDown).toBeGreaterThanOrEqual(engineDown!);
    expect(dawnDown).toBeLessThan(engineDown! + 4096);
    // What Dawn sees go up besides the coordinates is ORT's per-kernel uniforms, not tensors.
    expect(dawnUp).toBeLessThan(64 * dispatches!);
  }, 180_000);

  it('makes the encoder input on the GPU, runs an fp16 encoder with shader-f16, refuses an overflowed embedding', () => {
    const out = bench('test-sam-intensity,test-sam-intensity-fp16');
    expect(out, 'lavapipe offers shader-f16').toMatch(/^adapter: .*"shaderF16":true/m);
    // On WebGPU the encoder input is made by a shader (gpu-preprocess.ts), on WASM in JS
    // (samEncoderInput): the same embedding and mask.
    expect(out).toMatch(/^\| test-sam-intensity \| preprocessing in a shader /m);
    const fp32 = out.match(
      /^\| test-sam-intensity \| medlens engine, Dawn WebGPU \| .* \| embedding rel\. error ([\d.e+-]+), mask IoU ([\d.]+) \|$/m,
    );
    expect(fp32, out).not.toBeNull();
    expect(Number(fp32![1])).toBeLessThan(1e-4);
    expect(Number(fp32![2])).toBeGreaterThanOrEqual(0.99);
    // Against the float32 stand-in on WASM: float16's rounding, the same mask.
    const fp16 = out.match(
      /^\| test-sam-intensity-fp16 \| medlens engine, Dawn WebGPU \| .* \| embedding rel\. error ([\d.e+-]+), mask IoU ([\d.]+) \|$/m,
    );
    expect(fp16, out).not.toBeNull();
    expect(Number(fp16![1])).toBeLessThan(1e-2);
    expect(Number(fp16![2])).toBeGreaterThanOrEqual(0.99);
    // Never run on WASM, where the app loads the stand-in instead.
    expect(out).not.toMatch(/^\| test-sam-intensity-fp16 \| medlens engine, WASM/m);
    expect(out).toMatch(
      /^\| test-sam-intensity-fp16 \| same, a white image \(float16 overflows there\) \| error: .*overflowed float16 on this image: its image embedding holds NaN or infinite values \|/m,
    );
  }, 180_000);
});
