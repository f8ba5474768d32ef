import { proxy, transfer } from 'comlink';
import { LazyWorker } from './lazy-worker';
import type { SegmentApi } from '../../workers/segment.worker';
import type { BackendPreference } from '../lib/models/backend';
import type { SegmentationModel } from '../lib/models/manifest';
import type { FileProgress } from '../lib/models/model-files';
import type { DisplayedImage } from '../lib/models/sam-preprocess';
import type { SegmentPrompt } from '../lib/models/sam-prompt';
import type { PropagatedSlice, PropagationRequest, PropagationSlice } from '../lib/models/segmenter';

/**
 * The segmentation worker, started on first use. After a failure inside ONNX Runtime (out of
 * memory, a lost GPU device) the worker may be unusable, so `reset()` ends it and the next
 * call starts a clean one; the caller loads the model again.
 */
export class SegmentClient {
  #worker = new LazyWorker<SegmentApi>(
    () => new Worker(new URL('../../workers/segment.worker.ts', import.meta.url), { type: 'module', name: 'segment' }),
  );

  load(
    model: SegmentationModel,
    baseUrl: string,
    preference: BackendPreference,
    onProgress: (p: FileProgress) => void,
    picked?: Map<string, Uint8Array>,
  ) {
    const buffers = picked ? [...picked.values()].map((b) => b.buffer as ArrayBuffer) : [];
    return this.#worker.api.load(model, transfer({ baseUrl, picked }, buffers), preference, proxy(onProgress));
  }

  cancelLoad(): void {
    void this.#worker.running?.cancelLoad();
  }

  /** The pixels are transferred: pass a copy the caller no longer needs. */
  encode(key: string, image: DisplayedImage) {
    return this.#worker.api.encode(key, transfer(image, [image.rgba.buffer as ArrayBuffer]));
  }

  decode(key: string, prompt: SegmentPrompt, size: { width: number; height: number }, seq: number, refine: boolean) {
    return this.#worker.api.decode(key, prompt, size, seq, refine);
  }

  /** `slice` is called from the worker for each slice's pixels; return them with transfer(). */
  propagate(
    request: PropagationRequest,
    slice: (index: number) => Promise<PropagationSlice>,
    onSlice: (result: PropagatedSlice) => void,
  ) {
    return this.#worker.api.propagate(
      transfer(request, [request.seed.mask.buffer as ArrayBuffer]),
      proxy(slice),
      proxy(onSlice),
    );
  }

  cancelPropagation(): void {
    void this.#worker.running?.cancelPropagation();
  }

  stats() {
    return this.#worker.api.stats();
  }

  /** Ends the worker; calls still waiting on it are rejected with `reason`. */
  reset(reason?: string): void {
    this.#worker.reset(reason);
  }
}
