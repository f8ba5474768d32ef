// Times the app's own segmentation worker (SegmentClient → workers/segment.worker.ts) on each
// model the runner lists, on WebGPU and on WASM: encoder ms per image, decoder ms per prompt.
import { SegmentClient } from '../../src/services/segment-client';
import type { SegmentationModel } from '../../src/lib/models/manifest';
import type { BackendPreference } from '../../src/lib/models/backend';

interface Job {
  model: SegmentationModel;
  encodes: number;
  decodes: number;
  backends: BackendPreference[];
}
interface Row {
  model: string;
  backend: string;
  threads: number;
  encodeMs: number[];
  decodeMs: number[];
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
    } catch (error) {
      row.error = (error as Error).message;
    }
    client.reset();
    rows.push(row);
    document.getElementById('out')!.textContent = JSON.stringify(rows, null, 1);
  }
}
window.segmentBenchResult = rows;
