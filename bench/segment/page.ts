// Times the app's own segmentation worker (SegmentClient → workers/segment.worker.ts) on each
// model the runner lists, on WebGPU and on WASM: encoder ms per image, decoder ms per prompt.
import { SegmentClient } from '../../src/services/segment-client';
import type { SegmentationModel } from '../../src/lib/models/manifest';
import type { BackendPreference } from '../../src/lib/models/backend';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import type { SamImageProcessor, SamProcessor } from '@huggingface/transformers';

interface Job {
  model: SegmentationModel;
  encodes: number;
  decodes: number;
  /** Slices to propagate through (0: none). */
  propagate: number;
  backends: BackendPreference[];
}
interface PropagationTiming {
  slices: number;
  ms: number;
}
interface Row {
  model: string;
  backend: string;
  threads: number;
  encodeMs: number[];
  decodeMs: number[];
  /** Bytes the last prompt moved between CPU and GPU (WebGPU), and one embedding's bytes. */
  transfer?: { upload: number; download: number; embedding: number };
  /** Propagation from slice 0 through the series: every slice encoded on the way, and with every embedding already made (what look-ahead encoding in idle time gives). */
  propagation?: { cold: PropagationTiming; ahead: PropagationTiming };
  error?: string;
}
declare global {
  interface Window {
    benchJobs: Job[];
    segmentBenchResult?: Row[];
  }
}

/** A 512×512 chest-like gradient: content does not change timing, only size does. */
function image() {
  const side = 512;
  const rgba = new Uint8ClampedArray(side * side * 4);
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++) rgba.fill((x ^ y) & 255, 4 * (y * side + x), 4 * (y * side + x) + 3);
  return { width: side, height: side, rgba };
}

/** Slice k of a synthetic series: the gradient with a bright disk that shrinks along the series. */
function slice(k: number) {
  const base = image();
  const r = 120 - 8 * k;
  for (let y = 0; y < 512; y++)
    for (let x = 0; x < 512; x++)
      if ((x - 256) ** 2 + (y - 256) ** 2 <= r * r) base.rgba.fill(255, 4 * (y * 512 + x), 4 * (y * 512 + x) + 3);
  return base;
}

/** Propagates from slice 0 through `count` slices; `prefix` keys the embeddings. */
async function timePropagation(client: SegmentClient, count: number, prefix: string): Promise<PropagationTiming> {
  const seed = new Uint8Array(512 * 512);
  for (let y = 0; y < 512; y++)
    for (let x = 0; x < 512; x++) seed[y * 512 + x] = (x - 256) ** 2 + (y - 256) ** 2 <= 120 ** 2 ? 1 : 0;
  const start = performance.now();
  const { visited } = await client.propagate(
    // Random-weight models predict nothing meaningful: only an empty mask stops them here.
    {
      count,
      start: 0,
      seed: { key: `${prefix}-0`, width: 512, height: 512, mask: seed },
      limits: { margin: 0.1, minIou: -Infinity, maxAreaRatio: Infinity },
    },
    async (index) => ({ key: `${prefix}-${index}`, image: slice(index) }),
    () => {},
  );
  return { slices: visited.length, ms: performance.now() - start };
}

/**
 * transformers.js' own pipeline on the same files, in this page (the baseline the segmentation
 * issue names): SamProcessor + SamModel.get_image_embeddings per image; per prompt the box and
 * a padding point scaled by the image processor, SamModel on the kept embeddings, and
 * post_process_masks, as its model card shows, the best-scored candidate kept.
 */
async function timeTransformers(job: Job, device: 'webgpu' | 'wasm'): Promise<Row> {
  const { AutoProcessor, RawImage, SamModel, Tensor, env } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = new URL('./models/', location.href).href;
  // One ORT WASM, the file Vite bundled, never a CDN (as the app's VLM worker does).
  if (env.backends.onnx.wasm) env.backends.onnx.wasm.wasmPaths = { wasm: ortWasmUrl };
  const row: Row = {
    model: job.model.id,
    backend: `transformers.js ${device}`,
    threads: 1,
    encodeMs: [],
    decodeMs: [],
  };
  try {
    const sam = (await SamModel.from_pretrained(job.model.id, { device, dtype: 'fp32' })) as InstanceType<
      typeof SamModel
    >;
    const processor = (await AutoProcessor.from_pretrained(job.model.id)) as SamProcessor;
    const { rgba } = image();
    const raw = new RawImage(rgba, 512, 512, 4);
    let inputs = await processor(raw);
    let embeddings = await sam.get_image_embeddings(inputs);
    for (let i = 0; i < job.encodes; i++) {
      const start = performance.now();
      inputs = await processor(raw);
      embeddings = await sam.get_image_embeddings(inputs);
      row.encodeMs.push(performance.now() - start);
    }
    const scale = (points: number[][][], box: boolean) =>
      (processor.image_processor as SamImageProcessor).reshape_input_points(
        points,
        inputs.original_sizes,
        inputs.reshaped_input_sizes,
        box,
      );
    for (let i = 0; i <= job.decodes; i++) {
      const start = performance.now();
      const out = await sam({
        ...embeddings,
        input_points: scale([[[0, 0]]], false),
        input_labels: new Tensor('int64', BigInt64Array.from([-10n]), [1, 1, 1]),
        input_boxes: scale([[[100 + i, 120, 300 + 2 * i, 380]]], true),
      });
      const [masks] = await processor.post_process_masks(
        out.pred_masks,
        inputs.original_sizes,
        inputs.reshaped_input_sizes,
      );
      const scores = out.iou_scores.data as Float32Array;
      const best = scores.indexOf(Math.max(...scores));
      // The chosen candidate's pixels, as the worker hands its mask over.
      masks!.data.slice(best * 512 * 512, (best + 1) * 512 * 512);
      if (i > 0) row.decodeMs.push(performance.now() - start);
    }
    await sam.dispose();
  } catch (error) {
    row.error = (error as Error).message;
  }
  return row;
}

const rows: Row[] = [];
for (const job of window.benchJobs) {
  if (job.model.family === 'transformers-sam') {
    for (const device of job.backends) rows.push(await timeTransformers(job, device === 'webgpu' ? 'webgpu' : 'wasm'));
  }
  for (const preference of job.backends) {
    const client = new SegmentClient();
    const row: Row = { model: job.model.id, backend: preference, threads: 0, encodeMs: [], decodeMs: [] };
    try {
      const loaded = await client.load(job.model, new URL('./models/', location.href).href, preference, () => {});
      row.backend = loaded.backend.provider;
      row.threads = loaded.backend.threads;
      for (let i = 0; i < job.encodes; i++) row.encodeMs.push((await client.encode(`image-${i}`, image())).ms);
      for (let i = 0; i <= job.decodes; i++) {
        const box = { x0: 100 + i, y0: 120, x1: 300 + 2 * i, y1: 380 };
        const result = await client.decode(`image-0`, { points: [], box }, { width: 512, height: 512 }, i, false);
        if (!result.stale && i > 0) row.decodeMs.push(result.ms); // the first run compiles: not counted
      }
      const stats = await client.stats();
      row.transfer = {
        upload: stats.lastTransfer.upload,
        download: stats.lastTransfer.download,
        embedding: stats.embeddingBytes / stats.cachedEmbeddings,
      };
      if (job.propagate > 0) {
        const cold = await timePropagation(client, job.propagate, 'cold');
        for (let k = 1; k < job.propagate; k++) await client.encode(`ahead-${k}`, slice(k));
        const ahead = await timePropagation(client, job.propagate, 'ahead');
        row.propagation = { cold, ahead };
      }
    } catch (error) {
      row.error = (error as Error).message;
    }
    client.reset();
    rows.push(row);
    document.getElementById('out')!.textContent = JSON.stringify(rows, null, 1);
  }
}
window.segmentBenchResult = rows;
