// npm run bench:gpu — the app's segmentation engine (SamSession and the backend choice, from
// src/ via build.mjs) on Dawn's WebGPU in Node (the `webgpu` package over Vulkan), on
// onnxruntime-web's WASM, and the same graphs on onnxruntime-node's CPU provider, in one run.
// Prints the adapter, encoder ms, decoder ms per prompt (median, p95), what a prompt moves
// between CPU and GPU and how many compute passes it dispatches, and how far WebGPU's outputs
// are from CPU's.
//
// Environment: BENCH_MODELS (comma list; default every model found: the fixtures, proxies in
// PROXY_DIR, real weights in ../shared/models/<id>/), PROXY_DIR (default bench/.cache/segment,
// where bench:segment's make-proxies.py writes), ENGINE (the built engine, default
// bench/.cache/gpu/engine.mjs), REPO (the checkout: manifest and fixtures), OUT_JSON (write the
// results there too), DAWN_FLAGS (default backend=vulkan), DEC_RUNS (default 30), BACKENDS
// (the engine's backends to run, default webgpu,wasm).
// Needs `node --conditions=onnxruntime-web-use-extern-wasm` (package.json's bench:gpu does it):
// ORT's Node entry then loads the same .wasm the app ships instead of its browser bundle.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { counted, installDawn } from './dawn.mjs';
import { stats, timed } from './timing.mjs';

const env = process.env;
const repo = env.REPO ?? fileURLToPath(new URL('../../', import.meta.url));
const proxyDir = env.PROXY_DIR ?? `${repo}bench/.cache/segment`;
const enginePath = env.ENGINE ?? `${repo}bench/.cache/gpu/engine.mjs`;
const decRuns = Number(env.DEC_RUNS ?? 30);
const cpus = os.availableParallelism();

// --- What onnxruntime-web expects of a page, in Node -----------------------------------------
// ORT decides whether its own script is same-origin before starting WASM threads; a file: URL's
// origin is 'null', so location.origin 'null' (and a URL that ignores that base for absolute
// inputs) keeps it importing its .mjs directly instead of via a blob: URL Node cannot import.
const NodeURL = globalThis.URL;
globalThis.URL = class extends NodeURL {
  constructor(input, base) {
    if (base === 'null' && URL.canParse(input)) super(input);
    else super(input, base);
  }
};
Object.assign(globalThis, { location: { origin: 'null', href: 'file:///' }, crossOriginIsolated: true });

const dawn = await installDawn((env.DAWN_FLAGS ?? 'backend=vulkan').split(','));
const gpu = dawn.gpu;
let gpuWhy = dawn.why;

const ort = await import('onnxruntime-web/webgpu');
const engine = await import(enginePath);
/** @type {typeof import('onnxruntime-node') | undefined} */
let ortNode;
try {
  ortNode = (await import('onnxruntime-node')).default;
} catch {
  console.log(
    'onnxruntime-node is not installed here: no native CPU rows (device.sh times them with Python onnxruntime)',
  );
}

// --- Models ------------------------------------------------------------------------------------
const manifest = JSON.parse(readFileSync(`${repo}models/manifest.json`, 'utf8')).models;
const entry = (id) => manifest.find((m) => m.id === id);
const unpinned = (m, id) => ({ ...m, id, files: m.files.map((f) => ({ ...f, size: null, sha256: null })) });
const found = [
  ...['test-sam-tiny', 'test-litemedsam-tiny', 'test-sam-intensity', 'test-sam-intensity-fp16', 'test-sam-tjs'].map(
    (id) => ({
      model: entry(id),
      dir: `${repo}models/${id}`,
    }),
  ),
  ...[
    ['proxy-sam-vit-b', 'sam-vit-b'],
    ['proxy-litemedsam', 'litemedsam'],
  ].map(([id, like]) => ({ model: unpinned(entry(like), id), dir: `${proxyDir}/${id}` })),
  ...['sam-vit-b-int8', 'medsam-vit-b', 'litemedsam', 'mobilesam'].map((id) => ({
    model: unpinned(entry(id), id),
    dir: `${repo}../shared/models/${id}`,
  })),
].filter((job) => {
  const have = job.model && existsSync(`${job.dir}/${job.model.encoder.file}`);
  if (!have && job.model) console.log(`${job.model.id}: skipped, no ${job.dir}/${job.model.encoder.file}`);
  return have;
});
const only = env.BENCH_MODELS?.split(',');
const jobs = found.filter((job) => !only || only.includes(job.model.id));

// --- Inputs: a 512×512 image with a bright off-centre disc, boxes around it -------------------
const side = 512;
const image = { width: side, height: side, rgba: new Uint8ClampedArray(side * side * 4) };
for (let y = 0; y < side; y++)
  for (let x = 0; x < side; x++) {
    const inside = (x - 300) ** 2 + (y - 200) ** 2 < 60 ** 2;
    const v = inside ? 200 : 40 + ((x * 7 + y * 3) % 30);
    image.rgba.set([v, v * 0.9, v * 0.8, 255], (y * side + x) * 4);
  }
const prompt = (i) => ({ points: [], box: { x0: 230 + (i % 7), y0: 130 + (i % 5), x1: 370 - (i % 3), y1: 270 } });

// --- Helpers ----------------------------------------------------------------------------------
const ms = (x) => (x === undefined ? '' : x < 10 ? x.toFixed(2) : x.toFixed(1));
function relError(a, b) {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / (scale || 1);
}
function iou(a, b) {
  let both = 0;
  let either = 0;
  for (let i = 0; i < a.length; i++) {
    both += a[i] & b[i];
    either += a[i] | b[i];
  }
  return either ? both / either : 1;
}

/** One model through the app's SamSession on one backend. */
async function runEngine(job, preference) {
  const files = {
    encoder: readFileSync(`${job.dir}/${job.model.encoder.file}`),
    decoder: readFileSync(`${job.dir}/${job.model.decoder.file}`),
  };
  const caps = await engine.detectCapabilities();
  const backend = engine.chooseBackend(caps, preference, job.model.encoder.largestTensorBytes);
  const session = await engine.SamSession.create(job.model, files, backend);
  const onGpu = backend.provider === 'webgpu';
  // Until the GPU has done the encoder's work, not just been handed it.
  const device = onGpu ? await ort.env.webgpu.device : undefined;
  const settle = () => device?.queue.onSubmittedWorkDone();
  /** @type {any} */
  let embedding;
  const encodeMs = await timed(5, 20_000, async () => {
    embedding?.release();
    embedding = await session.encode(image);
    await settle();
  });
  // One more encode, counted: what it writes to the GPU (the image as RGBA bytes where the GPU
  // makes the encoder input, else the float input tensor).
  embedding.release();
  const encoded = await counted(() => session.encode(image));
  embedding = encoded.result;
  const encodeWritten = encoded.counts.written;
  const gpuPrep = session.preprocessesOnGpu;
  const preprocessMs = await timed(5, 5_000, () => engine.samEncoderInput(image, job.model));
  const decodeMs = await timed(decRuns, 20_000, () => session.decode(embedding, prompt(0), side, side));
  const { result: last, counts: perPrompt } = await counted(() => session.decode(embedding, prompt(1), side, side));
  const embeddingData = new Float32Array(await embedding.tensor.getData());
  const row = {
    model: job.model.id,
    backend: backend.provider,
    reason: backend.reason,
    threads: backend.threads,
    encode: stats(encodeMs),
    preprocess: stats(preprocessMs),
    gpuPrep,
    encodeWritten,
    decode: stats(decodeMs),
    transfer: last.transfer,
    perPrompt,
    embedding: embeddingData,
    mask: last.mask,
  };
  if (onGpu) {
    // The app before this issue, beside it: a plain decoder session fed from CPU memory, so the
    // embedding goes up again with every prompt like the prompt's own tensors, and ORT reads
    // every output back itself.
    const d = job.model.decoder;
    const held = { [d.embeddings]: new ort.Tensor('float32', embeddingData, embedding.dims) };
    if (d.positionalEmbeddings) {
      const p = embedding.positional;
      held[d.positionalEmbeddings] = new ort.Tensor('float32', new Float32Array(await p.getData()), p.dims);
    }
    const plain = await ort.InferenceSession.create(files.decoder, { executionProviders: ['webgpu'] });
    const runPlain = async (i) => {
      const out = await plain.run({ ...decoderFeeds(job.model, Math.abs(i), ort.Tensor, embedding.dims), ...held });
      for (const t of Object.values(out)) t.dispose();
    };
    try {
      row.cpuFedDecode = stats(await timed(decRuns, 20_000, () => runPlain(0)));
      row.cpuFedPerPrompt = (await counted(() => runPlain(1))).counts;
    } catch (error) {
      row.cpuFedError = String(error).split('\n')[0];
    } finally {
      await plain.release();
    }
  }
  if (job.model.masksFromLowRes) {
    // A mammogram-sized image: the mask made from the low-res logits, as the engine does for this
    // entry, and from the decoder's own full-size `masks` (the entry without masksFromLowRes: the
    // app before, on WASM), on the same embedding in the same run.
    const [width, height] = [4300, 3500];
    row.largeDecode = stats(await timed(decRuns, 20_000, () => session.decode(embedding, prompt(0), width, height)));
    const graphMasks = await engine.SamSession.create({ ...job.model, masksFromLowRes: false }, files, backend);
    try {
      row.largeGraphMasksDecode = stats(
        await timed(decRuns, 20_000, () => graphMasks.decode(embedding, prompt(0), width, height)),
      );
    } catch (error) {
      row.largeGraphMasksError = String(error).split('\n')[0];
    } finally {
      await graphMasks.release();
    }
  }
  // The variants and the native reference feed SamOnnxModel/LiteMedSAM inputs.
  const samInputs = job.model.family !== 'transformers-sam';
  if (samInputs && env.DECODER_VARIANTS === '1') {
    const { decoderVariants, wasmDecoderVariants } = await import('./decoder-variants.mjs');
    row.decoderVariants = await (onGpu ? decoderVariants : wasmDecoderVariants)({
      ort,
      model: job.model,
      file: files.decoder,
      embedding: embedding.tensor,
      feedsFor: (i, Tensor) => decoderFeeds(job.model, i, Tensor, embedding.dims),
      runs: decRuns,
    });
  }
  if (onGpu && job.model.needsShaderF16) {
    // float16 overflows where float32 does not (65504 at most): on a white image the fixture's
    // does, and the engine must refuse the embedding rather than draw masks from it.
    const white = { width: side, height: side, rgba: new Uint8ClampedArray(side * side * 4).fill(255) };
    row.whiteImage = await session.encode(white).then(
      (e) => (e.release(), 'encoded, no error'),
      (error) => `error: ${String(error).split('\n')[0]}`,
    );
  }
  embedding.release();
  await session.release();
  return row;
}

/** A box prompt's decoder inputs, the engine's own (decoderInputs), as `Tensor`s, less the embeddings. */
function decoderFeeds(model, i, Tensor, embeddingDims) {
  const inputs = engine.decoderInputs(model, prompt(i), side, side, 4 * embeddingDims[2]);
  return Object.fromEntries(Object.entries(inputs).map(([name, x]) => [name, new Tensor(x.type, x.data, x.dims)]));
}

/**
 * The same graphs on onnxruntime-node's CPU provider (default threads), fed the engine's inputs.
 * @param {any} job
 * @param {typeof import('onnxruntime-node')} ortNode
 */
async function runNative(job, ortNode) {
  const model = job.model;
  const encoder = await ortNode.InferenceSession.create(`${job.dir}/${model.encoder.file}`);
  const decoder = await ortNode.InferenceSession.create(`${job.dir}/${model.decoder.file}`);
  const input = new ortNode.Tensor('float32', engine.samEncoderInput(image, model), engine.encoderInputDims(model));
  /** @type {any} */
  let embedding;
  const encodeMs = await timed(5, 20_000, async () => {
    embedding = (await encoder.run({ [model.encoder.input]: input }))[model.encoder.output];
  });
  const feedsFor = (i) => ({
    ...decoderFeeds(model, i, ortNode.Tensor, embedding.dims),
    [model.decoder.embeddings]: embedding,
  });
  const decodeMs = await timed(decRuns, 20_000, () => decoder.run(feedsFor(0)));
  return {
    model: model.id,
    backend: 'onnxruntime-node CPU',
    threads: cpus,
    encode: stats(encodeMs),
    decode: stats(decodeMs),
    embedding: embedding.data,
  };
}

// --- Run ----------------------------------------------------------------------------------------
const adapter = gpu ? await gpu.requestAdapter().catch(() => null) : null;
if (gpu && !adapter)
  gpuWhy = 'Dawn found no Vulkan adapter (lavapipe needs Mesa ≥ 24; Debian 12 has 22.3, bookworm-backports 25)';
const adapterInfo = adapter && {
  ...Object.fromEntries(['vendor', 'architecture', 'device', 'description'].map((k) => [k, adapter.info[k]])),
  shaderF16: adapter.features.has('shader-f16'),
  maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
};
console.log(`adapter: ${adapterInfo ? JSON.stringify(adapterInfo) : `none — ${gpuWhy}; WebGPU rows skipped`}`);
console.log(`onnxruntime-web ${ort.env.versions.web}, node ${process.version}, ${cpus} × ${os.cpus()[0]?.model}`);

/**
 * The engine's backends to run `model` on: of BACKENDS (default webgpu,wasm), WebGPU where there
 * is an adapter (with shader-f16 for an fp16 entry), WASM except for an fp16 entry (the app loads
 * its stand-in there).
 */
function backendsFor(model) {
  const all = env.BACKENDS?.split(',') ?? ['webgpu', 'wasm'];
  const fp16 = model.needsShaderF16;
  return all.filter((b) => (b === 'webgpu' ? !!adapter && (!fp16 || adapter.features.has('shader-f16')) : !fp16));
}

/** @type {any[]} */
const rows = [];
/** One line as each run ends, so a run cut short still says what it measured. */
const progress = (row) =>
  console.log(
    row.error
      ? `${row.model} on ${row.backend}: ${row.error}`
      : `${row.model} on ${row.backend}: encoder ${ms(row.encode.median)} ms, decoder ${ms(row.decode.median)} ms (${row.reason ?? 'native'})`,
  );
for (const job of jobs) {
  const preferences = backendsFor(job.model);
  if (!preferences.length) console.log(`${job.model.id}: skipped, no backend here runs it`);
  for (const preference of preferences) {
    try {
      rows.push(await runEngine(job, preference));
    } catch (error) {
      rows.push({ model: job.model.id, backend: preference, error: String(error).split('\n')[0] });
    }
    progress(rows.at(-1));
  }
  if (ortNode && job.model.family !== 'transformers-sam' && !job.model.needsShaderF16)
    progress(rows[rows.push(await runNative(job, ortNode)) - 1]);
}

console.log('\n| model | runtime | encoder ms median / p95 | decoder ms / prompt median / p95 | WebGPU vs CPU |');
console.log('|---|---|---|---|---|');
for (const row of rows) {
  const runtime =
    row.backend === 'webgpu'
      ? 'medlens engine, Dawn WebGPU'
      : row.backend === 'wasm'
        ? `medlens engine, WASM ${row.threads} threads`
        : `${row.backend}, ${row.threads} threads`;
  if (row.error) {
    console.log(`| ${row.model} | ${runtime} | error: ${row.error} | | |`);
    continue;
  }
  let check = '';
  // An fp16 entry against its stand-in's float32 weights on WASM, where that ran too.
  const reference = entry(row.model)?.withoutShaderF16 ?? row.model;
  const cpu = rows.find((r) => r.model === reference && r.backend === 'wasm' && !r.error);
  if (row.backend === 'webgpu' && cpu) {
    row.check = { embeddingRelError: relError(row.embedding, cpu.embedding), maskIoU: iou(row.mask, cpu.mask) };
    check = `embedding rel. error ${row.check.embeddingRelError.toExponential(1)}, mask IoU ${row.check.maskIoU.toFixed(4)}`;
  }
  const native = rows.find((r) => r.model === row.model && r.backend === 'onnxruntime-node CPU');
  if (row.backend === 'wasm' && native)
    check = `embedding vs onnxruntime-node: ${relError(row.embedding, native.embedding).toExponential(1)}`;
  console.log(
    `| ${row.model} | ${runtime} | ${ms(row.encode.median)} / ${ms(row.encode.p95)} | ${ms(row.decode.median)} / ${ms(row.decode.p95)} | ${check} |`,
  );
  if (row.backend === 'webgpu')
    console.log(
      row.gpuPrep
        ? `| ${row.model} | preprocessing in a shader (in the encoder figure; ${row.encodeWritten} B up per encode; in JS it takes ${ms(row.preprocess.median)} ms) | | | |`
        : `| ${row.model} | of which preprocessing in JS (resize, normalise; ${row.encodeWritten} B up per encode) | ${ms(row.preprocess.median)} | | |`,
    );
  if (row.whiteImage)
    console.log(`| ${row.model} | same, a white image (float16 overflows there) | ${row.whiteImage} | | |`);
  if (row.largeDecode)
    console.log(
      `| ${row.model} | same, a 4300 × 3500 image: mask from the low-res logits (now) / the decoder's full-size masks (before) | | ${ms(row.largeDecode.median)} / ${row.largeGraphMasksDecode ? ms(row.largeGraphMasksDecode.median) : `error: ${row.largeGraphMasksError}`} (medians) | |`,
    );
  if (row.cpuFedDecode)
    console.log(
      `| ${row.model} | same graph fed from CPU memory, ORT reading back every output (before) | | ${ms(row.cpuFedDecode.median)} / ${ms(row.cpuFedDecode.p95)} | |`,
    );
}

const gpuRows = rows.filter((r) => r.backend === 'webgpu' && !r.error);
if (gpuRows.length) {
  console.log(
    '\nPer prompt on WebGPU, counted by the Dawn shim: bytes written to GPU buffers, bytes mapped back, compute dispatches',
  );
  console.log(
    "| model | the engine (now) | fed from CPU memory, every output read back (before) | engine's own count up / down |",
  );
  console.log('|---|---|---|---|');
  const fmt = (p) => `${p.written} B up, ${p.mappedForRead} B down, ${p.dispatches} dispatches`;
  for (const row of gpuRows) {
    const before = row.cpuFedPerPrompt ? fmt(row.cpuFedPerPrompt) : `error: ${row.cpuFedError}`;
    console.log(
      `| ${row.model} | ${fmt(row.perPrompt)} | ${before} | ${row.transfer.upload} / ${row.transfer.download} B |`,
    );
  }
}

for (const row of rows.filter((r) => r.decoderVariants)) {
  const on = row.backend === 'webgpu' ? 'WebGPU' : `WASM, ${row.threads} threads`;
  console.log(`\nDecoder session variants, ${row.model} (${on}; max diff = low-res logits vs the first variant)`);
  console.log('| variant | ms median / p95 | max diff |');
  console.log('|---|---|---|');
  for (const v of row.decoderVariants)
    console.log(
      v.error
        ? `| ${v.variant} | error: ${v.error} | |`
        : `| ${v.variant} | ${ms(v.median)} / ${ms(v.p95)} | ${v.maxDiffVsFirst.toExponential(1)} |`,
    );
}

if (env.OUT_JSON) {
  const plain = rows.map(({ embedding: _e, mask: _m, ...rest }) => rest);
  writeFileSync(env.OUT_JSON, JSON.stringify({ adapter: adapterInfo, why: gpuWhy, rows: plain }, null, 1));
}
// A normal exit waits for V8 to finish compiling ORT's 20 MB WASM in the background.
process.exit(0);
