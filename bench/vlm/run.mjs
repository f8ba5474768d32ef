// npm run bench:vlm — time to first token, tokens/s and memory of the vision-language models:
// our VLM worker code and plain transformers.js (AutoProcessor + AutoModelForImageTextToText +
// generate, as its docs show) in Node on the same model, dtype, prompt (system prompt included)
// and prepared image, then the app itself in headless Chromium on WebGPU (SwiftShader) and WASM.
// Models: the fixtures that answer, and real weights where ../shared/models/<id>/ has them.
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../../test/e2e/chromium.mjs';
import { build, createServer, preview } from 'vite';

const root = fileURLToPath(new URL('../../', import.meta.url));
const manifest = JSON.parse(readFileSync(`${root}models/manifest.json`, 'utf8')).models.filter((m) => m.task === 'vlm');
const image = `${root}test/fixtures/raster/tbx11k-tb0005.png`;
const question = 'Where is the tuberculosis?';
const models = manifest.filter((m) => {
  if (m.id === 'test-medgemma-nan') {
    console.log(`${m.id}: skipped, it stops at its fourth token by design (NaN logits)`);
    return false;
  }
  const dir = m.fixture ? `${root}models/${m.id}` : `${root}../shared/models/${m.id}`;
  if (existsSync(`${dir}/config.json`)) return true;
  console.log(`${m.id}: skipped, ${dir}/ is absent (no weights on this machine)`);
  return false;
});

/** Samples this process's resident memory while `task` runs. */
async function peakRss(task) {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  try {
    return { result: await task(), peakMb: Math.max(peak, process.memoryUsage().rss) / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

function serve(dir) {
  const server = createHttpServer((req, res) => {
    const file = dir + decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/models\//, '');
    if (!existsSync(file) || !statSync(file).isFile()) return res.writeHead(404).end();
    res.writeHead(200, { 'content-length': statSync(file).size });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const rows = [];
const vite = await createServer({ root, logLevel: 'warn', server: { middlewareMode: true } });
const { RawImage, AutoProcessor, AutoModelForImageTextToText, TextStreamer, env } =
  await import('@huggingface/transformers');
const { padImage } = await vite.ssrLoadModule('/src/lib/models/vlm-image.ts');
const { chooseDtype } = await vite.ssrLoadModule('/src/lib/models/vlm-files.ts');
const raw = await RawImage.read(image);
const displayed = { width: raw.width, height: raw.height, rgba: raw.rgba().data };
for (const model of models) {
  const dir = model.fixture ? `${root}models/` : `${root}../shared/models/`;
  // Like with like: the dtype our worker picks in Node, the image as the family is prepared
  // (centred on a square for MedGemma) and the system prompt joined to the question, as the
  // worker sends them.
  const dtype = chooseDtype(model, 'cpu', false);
  const prepared = padImage(displayed, model.imagePadding);
  const text = `${model.systemPrompt}\n\n${question}`;
  // Baseline: plain transformers.js reading the model folder itself.
  const baseline = await peakRss(async () => {
    Object.assign(env, {
      allowRemoteModels: false,
      allowLocalModels: true,
      localModelPath: dir,
      useCustomCache: false,
      useFSCache: false,
    });
    const processor = await AutoProcessor.from_pretrained(model.id);
    const network = await AutoModelForImageTextToText.from_pretrained(model.id, { dtype });
    const prompt = processor.apply_chat_template(
      [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text }] }],
      { add_generation_prompt: true },
    );
    const pixels = new RawImage(new Uint8ClampedArray(prepared.rgba), prepared.width, prepared.height, 4).rgb();
    const inputs = await processor(prompt, pixels);
    let first = 0;
    let tokens = 0;
    const start = performance.now();
    const streamer = new TextStreamer(/** @type {NonNullable<typeof processor.tokenizer>} */ (processor.tokenizer), {
      skip_prompt: true,
      token_callback_function: () => tokens++ === 0 && (first = performance.now() - start),
    });
    await network.generate({ ...inputs, max_new_tokens: 512, do_sample: false, streamer });
    const ms = performance.now() - start;
    await network.dispose();
    return { first, tokens, ms, prompt };
  });
  rows.push({
    model: model.id,
    runtime: `plain transformers.js, Node (onnxruntime-node CPU), ${dtype}`,
    ...baseline.result,
    memory: `${baseline.peakMb.toFixed(0)} MB peak RSS`,
  });

  // Ours: the VLM worker's code path, loading over HTTP with sha256 checks.
  const server = await serve(dir);
  const api = (await vite.ssrLoadModule('/workers/vlm.worker.ts')).default;
  const ours = await peakRss(async () => {
    await api.load(model, `http://127.0.0.1:${server.address().port}/models/`, 'auto', () => {});
    const out = await api.generate({ image: displayed, system: model.systemPrompt, history: [], question }, () => {});
    await api.dispose();
    return { first: out.firstTokenMs, tokens: out.tokens, ms: out.ms, prompt: out.prompt };
  });
  if (ours.result.prompt !== baseline.result.prompt || ours.result.tokens !== baseline.result.tokens)
    throw new Error(`${model.id}: the two runs did not get the same prompt and give the same number of tokens`);
  server.close();
  rows.push({
    model: model.id,
    runtime: `medlens VLM worker code, Node (onnxruntime-node CPU), ${dtype}`,
    ...ours.result,
    memory: `${ours.peakMb.toFixed(0)} MB peak RSS`,
  });
}
await vite.close();

// The app in Chromium, through its Ask panel.
const outDir = `${root}bench/.cache/vlm-dist/`;
await build({ root, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
const app = await preview({ root, logLevel: 'warn', build: { outDir }, preview: { host: 'localhost', port: 0 } });
const browser = await launchChromium();
try {
  for (const model of models.filter((m) => m.fixture)) {
    for (const backend of /** @type {const} */ (['webgpu', 'wasm'])) {
      const page = await browser.newPage();
      await page.goto(app.resolvedUrls?.local[0] ?? '');
      await page.getByTestId('file-input').setInputFiles([image]);
      await page.waitForFunction(() => window.medlens.viewer.slice);
      const result = await page.evaluate(
        async ({ id, backend, question }) => {
          const { ask } = window.medlens;
          ask.select(id);
          ask.setPreference(backend);
          await ask.ask(question);
          // Chromium-only API (cross-origin isolated pages), absent from the DOM typings.
          const measure = /** @type {{ measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> }} */ (
            performance
          ).measureUserAgentSpecificMemory;
          const memory = measure ? (await measure.call(performance)).bytes : NaN;
          return {
            speed: ask.speed,
            backend: ask.loaded?.device,
            memory,
            error: ask.error,
          };
        },
        { id: model.id, backend, question },
      );
      if (result.error || !result.speed) throw new Error(result.error ?? 'no answer');
      const tokens = result.speed.tokens;
      rows.push({
        model: model.id,
        runtime: `medlens app, Chromium ${result.backend === 'webgpu' ? 'WebGPU (SwiftShader)' : 'WASM'}`,
        first: result.speed.firstTokenMs,
        tokens,
        ms: (tokens / result.speed.tokensPerSecond) * 1000,
        memory: Number.isNaN(result.memory) ? 'n/a' : `${(result.memory / 2 ** 20).toFixed(0)} MB page memory after`,
      });
      await page.close();
    }
  }
} finally {
  await browser.close();
  await app.close();
}

console.log(`\n${cpus().length} × ${cpus()[0].model}, Node ${process.versions.node}`);
console.log('| model | runtime | first token ms | tokens | tokens/s | memory |\n|---|---|---|---|---|---|');
for (const r of rows)
  console.log(
    `| ${r.model} | ${r.runtime} | ${r.first.toFixed(0)} | ${r.tokens} | ${(r.tokens / (r.ms / 1000)).toFixed(0)} | ${r.memory} |`,
  );
