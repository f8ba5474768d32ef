// npm run bench:segment — encoder and decoder timings of segmentation models:
// the app's worker in headless Chromium (WebGPU on SwiftShader here, and WASM), and the same
// graphs in onnxruntime-node (native CPU) in this process, for the in-browser/native ratio.
// Models: random-weight proxies with real architectures (make-proxies.py, built on demand),
// the fixtures, and real weights where ../shared/models/<id>/ has them.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as ortNode from 'onnxruntime-node';
import { launchChromium } from '../../test/e2e/chromium.mjs';
import { build, preview } from 'vite';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cache = `${root}bench/.cache/segment/`;
const outDir = `${cache}dist/`;
// WebGPU here is SwiftShader, a CPU emulation of a GPU: a ViT or TinyViT encoder takes tens of
// minutes on it and says nothing about a real GPU, so proxies run on WASM unless asked.
const proxyBackends = /** @type {('webgpu' | 'wasm')[]} */ ((process.env.BENCH_PROXY_BACKENDS ?? 'wasm').split(','));
const only = process.env.BENCH_MODELS?.split(',');

execFileSync('/usr/bin/python3', [`${root}bench/segment/make-proxies.py`], { stdio: 'inherit' });
const manifest = JSON.parse(readFileSync(`${root}models/manifest.json`, 'utf8')).models;
const entry = (id) => manifest.find((m) => m.id === id);
const unpinned = (m, id) => ({ ...m, id, files: m.files.map((f) => ({ ...f, size: null, sha256: null })) });
/** @type {{ model: any; dir: string; encodes: number; decodes: number; propagate: number; backends: ('webgpu' | 'wasm')[] }[]} */
const jobs = [
  {
    model: unpinned(entry('sam-vit-b'), 'proxy-sam-vit-b'),
    dir: `${cache}proxy-sam-vit-b`,
    encodes: 1,
    decodes: 10,
    propagate: 3,
    backends: proxyBackends,
  },
  {
    model: unpinned(entry('litemedsam'), 'proxy-litemedsam'),
    dir: `${cache}proxy-litemedsam`,
    encodes: 3,
    decodes: 20,
    propagate: 6,
    backends: proxyBackends,
  },
  ...['test-sam-tiny', 'test-litemedsam-tiny', 'test-sam-intensity', 'test-sam-tjs'].map((id) => ({
    model: entry(id),
    dir: `${root}models/${id}`,
    encodes: 3,
    decodes: 20,
    propagate: id === 'test-sam-intensity' ? 12 : 0,
    backends: /** @type {('webgpu' | 'wasm')[]} */ (['webgpu', 'wasm']),
  })),
];
for (const id of ['medsam-vit-b', 'litemedsam', 'sam-vit-b', 'mobilesam']) {
  const dir = `${root}../shared/models/${id}`;
  if (existsSync(`${dir}/encoder.onnx`))
    jobs.push({
      model: unpinned(entry(id), id),
      dir,
      encodes: 3,
      decodes: 20,
      propagate: 6,
      backends: ['webgpu', 'wasm'],
    });
  else console.log(`real ${id}: skipped, ${dir}/ is absent (no weights on this machine)`);
}
// transformers.js' own SamModel pipeline runs beside our worker on models in its layout (test-sam-tjs).
const selected = jobs.filter((j) => !only || only.includes(j.model.id));

const ratio = (a, b) => (Number.isFinite(a / b) ? `${(a / b).toFixed(1)}×` : '—');
const median = (xs) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : NaN);

/** onnxruntime-node, CPU execution provider, default threads: the native reference. */
async function native(job) {
  const size = job.model.inputSize;
  const encoder = await ortNode.InferenceSession.create(`${job.dir}/encoder.onnx`);
  const decoder = await ortNode.InferenceSession.create(`${job.dir}/decoder.onnx`);
  const encodeMs = [];
  /** @type {ortNode.Tensor} */
  let embedding = /** @type {any} */ (undefined);
  for (let i = 0; i < job.encodes; i++) {
    const start = performance.now();
    const out = await encoder.run({
      [job.model.encoder.input]: new ortNode.Tensor('float32', new Float32Array(3 * size * size), [1, 3, size, size]),
    });
    encodeMs.push(performance.now() - start);
    embedding = out[job.model.encoder.output];
  }
  const d = job.model.decoder;
  const decodeMs = [];
  for (let i = 0; i <= job.decodes; i++) {
    /** @type {Record<string, ortNode.Tensor>} */
    const feeds = {
      [d.embeddings]: embedding,
      [d.pointCoords]: new ortNode.Tensor('float32', Float32Array.from([10 + i, 10, 100, 100]), [1, 2, 2]),
      [d.pointLabels]: new ortNode.Tensor('float32', Float32Array.from([2, 3]), [1, 2]),
      [d.origSize]:
        d.origSizeType === 'int64'
          ? new ortNode.Tensor('int64', BigInt64Array.from([512n, 512n]), [2])
          : new ortNode.Tensor('float32', Float32Array.from([512, 512]), [2]),
    };
    if (d.maskInput) {
      const side = 4 * embedding.dims[2];
      feeds[d.maskInput] = new ortNode.Tensor('float32', new Float32Array(side * side), [1, 1, side, side]);
      feeds[d.hasMaskInput] = new ortNode.Tensor('float32', Float32Array.from([0]), [1]);
    }
    const start = performance.now();
    await decoder.run(feeds);
    if (i > 0) decodeMs.push(performance.now() - start);
  }
  return { encodeMs, decodeMs };
}

await build({
  root,
  logLevel: 'warn',
  build: { outDir, emptyOutDir: true, rollupOptions: { input: `${root}bench/segment/index.html` } },
});
for (const job of selected) cpSync(job.dir, `${outDir}bench/segment/models/${job.model.id}`, { recursive: true });
const server = await preview({ root, logLevel: 'warn', build: { outDir }, preview: { host: 'localhost', port: 0 } });
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.log('page error:', e.message));
  await page.addInitScript(
    (jobs) => (window.benchJobs = jobs),
    selected.map(({ model, encodes, decodes, propagate, backends }) => ({
      model,
      encodes,
      decodes,
      propagate,
      backends,
    })),
  );
  await page.goto(`${server.resolvedUrls?.local[0]}bench/segment/`);
  await page.waitForFunction(() => window.segmentBenchResult, undefined, { timeout: 3_600_000 });
  const browserRows = (await page.evaluate(() => window.segmentBenchResult)) ?? [];
  console.log(
    `\nChromium ${browser.version()} (WebGPU: SwiftShader, CPU), onnxruntime-node ${ortNode.env.versions.node}, ${cpus().length} × ${cpus()[0].model}`,
  );
  console.log(
    '| model | runtime | encoder ms (median) | decoder ms per prompt (median) | encoder vs native | decoder vs native | bytes per prompt CPU→GPU / GPU→CPU (embedding) |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const job of selected) {
    // The native reference feeds SamOnnxModel/LiteMedSAM inputs; transformers.js' layout has its own row.
    const ref = job.model.family === 'transformers-sam' ? undefined : await native(job);
    const n = ref ? { enc: median(ref.encodeMs), dec: median(ref.decodeMs) } : { enc: NaN, dec: NaN };
    if (ref)
      console.log(`| ${job.model.id} | onnxruntime-node CPU | ${n.enc.toFixed(1)} | ${n.dec.toFixed(2)} | 1 | 1 | |`);
    for (const row of browserRows.filter((r) => r.model === job.model.id)) {
      if (row.error) {
        console.log(`| ${row.model} | ${row.backend} | error: ${row.error} | | | | |`);
        continue;
      }
      const enc = median(row.encodeMs);
      const dec = median(row.decodeMs);
      const label = row.backend.startsWith('transformers.js')
        ? `${row.backend} (SamModel in the page)`
        : row.backend === 'wasm'
          ? `browser WASM, ${row.threads} thread(s)`
          : 'browser WebGPU (SwiftShader)';
      const t = row.transfer;
      const moved =
        row.backend === 'webgpu' && t ? `${t.upload} / ${t.download} (${t.embedding} stays on the GPU)` : '';
      console.log(
        `| ${row.model} | ${label} | ${enc.toFixed(1)} | ${dec.toFixed(2)} | ${ratio(enc, n.enc)} | ${ratio(dec, n.dec)} | ${moved} |`,
      );
    }
  }
  console.log('\nPropagation from slice 0 of a synthetic 512×512 series (one direction), the app worker:');
  console.log('| model | runtime | slices | slices/s, encoding on the way | slices/s, embeddings ahead (look-ahead) |');
  console.log('|---|---|---|---|---|');
  for (const row of browserRows) {
    if (!row.propagation) continue;
    const { cold, ahead } = row.propagation;
    const rate = (t) => ((t.slices * 1000) / t.ms).toFixed(2);
    const label = row.backend === 'wasm' ? `browser WASM, ${row.threads} thread(s)` : 'browser WebGPU (SwiftShader)';
    console.log(`| ${row.model} | ${label} | ${cold.slices} / ${ahead.slices} | ${rate(cold)} | ${rate(ahead)} |`);
  }
} finally {
  await browser.close();
  await server.close();
}
