import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

// bench:gpu is what measures the engine on a GPU machine; here (no Dawn adapter on lavapipe) it
// must still build the app's engine, run it on WASM, and agree with onnxruntime-node.
describe('npm run bench:gpu', () => {
  it('runs the app’s engine on a fixture and matches onnxruntime-node’s embedding', () => {
    const out = execFileSync('npm', ['run', '--silent', 'bench:gpu'], {
      cwd: root,
      env: { ...process.env, BENCH_MODELS: 'test-litemedsam-tiny', DEC_RUNS: '3' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
    expect(out).toMatch(/^adapter: /m);
    const wasm = out.match(
      /^\| test-litemedsam-tiny \| medlens engine, WASM \d+ threads \| ([\d.]+) \/ [\d.]+ \| ([\d.]+) \/ [\d.]+ \| embedding vs onnxruntime-node: ([\d.e+-]+) \|$/m,
    );
    expect(wasm, out).not.toBeNull();
    expect(Number(wasm![3])).toBeLessThan(1e-5);
    expect(out).toMatch(/^\| test-litemedsam-tiny \| onnxruntime-node CPU, \d+ threads \| /m);
  }, 150_000);
});
