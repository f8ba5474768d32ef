// Which onnxruntime-web session setup runs a SAM prompt decoder fastest, on WebGPU and on WASM:
// measure.mjs calls these (DECODER_VARIANTS=1) with the embedding the app's encoder made. Each
// variant is a fresh decoder session fed the same box prompts; a run is timed from its inputs
// going in to its low-res logits and IoU being back in memory.
import { stats, timed } from './timing.mjs';

/** Times each variant's session on the same prompts and checks it gives the first one's logits. */
async function compare(variants, runs) {
  const rows = [];
  let reference;
  for (const [name, make] of variants) {
    try {
      const { session, run } = await make();
      const check = await run(1);
      const { median, p95 } = stats(await timed(runs, 20_000, (i) => run(Math.abs(i) % 2)));
      reference ??= check;
      let diff = 0;
      for (let i = 0; i < reference.length; i++) diff = Math.max(diff, Math.abs(reference[i] - check[i]));
      rows.push({ variant: name, median, p95, maxDiffVsFirst: diff });
      await session.release();
    } catch (error) {
      rows.push({ variant: name, error: String(error).split('\n')[0].slice(0, 700) });
    }
  }
  return rows;
}

/** CPU-held prompt tensors and embedding, the two small outputs read back by ORT. */
async function plainSession({ ort, model, file, embedding, feedsFor }, options) {
  const d = model.decoder;
  const session = await ort.InferenceSession.create(file, options);
  const run = async (i) => {
    const out = await session.run({ ...feedsFor(i, ort.Tensor), [d.embeddings]: embedding }, [d.iou, d.lowResMasks]);
    const low = await out[d.lowResMasks].getData();
    for (const t of Object.values(out)) t.dispose();
    return low;
  };
  return { session, run };
}

/**
 * On WASM (the app's thread count, set by the engine): whether any session option narrows the
 * gap to native CPU. Prompts at 1 × 1 (orig_im_size) as the engine feeds masksFromLowRes entries.
 * @param {{ ort: any; model: any; file: Uint8Array; embedding: any; feedsFor: (i: number, T: any) => Record<string, any>; runs: number }} o
 */
export async function wasmDecoderVariants(o) {
  const base = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' };
  return compare(
    [
      ['the app’s options', () => plainSession(o, base)],
      ['graphOptimizationLevel basic', () => plainSession(o, { ...base, graphOptimizationLevel: 'basic' })],
      ['graphOptimizationLevel extended', () => plainSession(o, { ...base, graphOptimizationLevel: 'extended' })],
      ['enableCpuMemArena false', () => plainSession(o, { ...base, enableCpuMemArena: false })],
      // The prompt's point count, the graphs' one free dimension (named N or num_points).
      [
        'freeDimensionOverrides: 2 prompt points',
        () => plainSession(o, { ...base, freeDimensionOverrides: { N: 2, num_points: 2 } }),
      ],
      [
        'intra-op threads not spinning',
        () => plainSession(o, { ...base, extra: { session: { 'intra_op.allow_spinning': '0' } } }),
      ],
    ],
    o.runs,
  );
}

/** @param {{ ort: any; model: any; file: Uint8Array; embedding: any; feedsFor: (i: number, T: any) => Record<string, any>; runs: number }} o */
export async function decoderVariants({ ort, model, file, embedding, feedsFor, runs }) {
  const device = await ort.env.webgpu.device;
  const d = model.decoder;
  const base = { executionProviders: ['webgpu'], graphOptimizationLevel: 'all' };

  const plain = (options) => plainSession({ ort, model, file, embedding, feedsFor }, options);

  /**
   * Every input and output a GPU buffer of its own, reused run after run (ORT's IO binding): the
   * prompt goes up with queue.writeBuffer, the two small outputs come back by one copy each.
   * With `capture`, ORT records the first run's GPU commands and replays them afterwards.
   */
  async function bound(capture) {
    const options = { ...base, preferredOutputLocation: 'gpu-buffer' };
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    const gpuBuffer = (bytes) => device.createBuffer({ size: Math.ceil(bytes / 16) * 16, usage });
    const first = feedsFor(0, ort.Tensor);
    const inputs = {};
    for (const [name, t] of Object.entries(first)) {
      const buffer = gpuBuffer(t.data.byteLength);
      inputs[name] = { buffer, tensor: ort.Tensor.fromGpuBuffer(buffer, { dataType: t.type, dims: t.dims }) };
    }
    // Output shapes from one run of a session without capture (a captured one takes only
    // buffers given in advance).
    // The embedding too, copied once into a buffer of this session's own (a captured graph
    // replays with the buffers it was recorded with).
    const embeddingBuffer = gpuBuffer(embedding.dims.reduce((n, x) => n * x, 4));
    const copy = device.createCommandEncoder();
    copy.copyBufferToBuffer(
      embedding.gpuBuffer,
      0,
      embeddingBuffer,
      0,
      embedding.dims.reduce((n, x) => n * x, 4),
    );
    device.queue.submit([copy.finish()]);
    const ownEmbedding = ort.Tensor.fromGpuBuffer(embeddingBuffer, { dataType: 'float32', dims: embedding.dims });
    const probeSession = await ort.InferenceSession.create(file, options);
    const probe = await probeSession.run({ ...first, [d.embeddings]: embedding });
    const outputs = {};
    for (const [name, t] of Object.entries(probe)) {
      const bytes = t.dims.reduce((n, x) => n * x, t.type === 'int64' ? 8 : 4);
      const buffer = gpuBuffer(bytes);
      outputs[name] = { buffer, bytes, tensor: ort.Tensor.fromGpuBuffer(buffer, { dataType: t.type, dims: t.dims }) };
      t.dispose();
    }
    await probeSession.release();
    const session = await ort.InferenceSession.create(file, { ...options, enableGraphCapture: capture });
    const read = device.createBuffer({
      size: Math.ceil((outputs[d.lowResMasks].bytes + 16) / 16) * 16,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    const run = async (i) => {
      for (const [name, t] of Object.entries(feedsFor(i, ort.Tensor)))
        device.queue.writeBuffer(inputs[name].buffer, 0, t.data);
      // In the session's own input and output order.
      const feeds = Object.fromEntries(
        session.inputNames.map((name) => [name, name === d.embeddings ? ownEmbedding : inputs[name].tensor]),
      );
      await session.run(feeds, Object.fromEntries(session.outputNames.map((name) => [name, outputs[name].tensor])));
      const low = outputs[d.lowResMasks];
      const encoder = device.createCommandEncoder();
      encoder.copyBufferToBuffer(low.buffer, 0, read, 0, low.bytes);
      encoder.copyBufferToBuffer(outputs[d.iou].buffer, 0, read, low.bytes, 16);
      device.queue.submit([encoder.finish()]);
      await read.mapAsync(GPUMapMode.READ);
      const data = new Float32Array(read.getMappedRange(0, low.bytes).slice(0));
      read.unmap();
      return data;
    };
    return { session, run };
  }

  /** @type {[string, () => Promise<{ session: any; run: (i: number) => Promise<Float32Array> }>][]} */
  const variants = [
    ['CPU-held prompt, outputs read back one by one (the app before)', () => plain(base)],
    ['graphOptimizationLevel basic', () => plain({ ...base, graphOptimizationLevel: 'basic' })],
    [
      'preferredLayout NCHW',
      () => plain({ ...base, executionProviders: [{ name: 'webgpu', preferredLayout: 'NCHW' }] }),
    ],
    ['IO binding: every input and output a GPU buffer', () => bound(false)],
    ['IO binding + enableGraphCapture', () => bound(true)],
  ];
  return compare(variants, runs);
}
