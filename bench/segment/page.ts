// Times the app's own segmentation worker (SegmentClient → workers/segment.worker.ts) on each
// model the runner lists, on WebGPU and on WASM: encoder ms per image, decoder ms per prompt.
import { SegmentClient } from '../../src/services/segment-client';
import type { SegmentationModel } from '../../src/lib/models/manifest';
import type { BackendPreference } from '../../src/lib/models/backend';

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

const rows: Row[] = [];
for (const job of window.benchJobs) {
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
