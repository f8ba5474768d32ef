import { proxy, transfer, wrap, type Remote } from 'comlink';
import type { SegmentApi } from '../../workers/segment.worker';
import type { BackendPreference } from '../lib/models/backend';
import type { SegmentationModel } from '../lib/models/manifest';
import type { FileProgress } from '../lib/models/model-files';
import type { DisplayedImage } from '../lib/models/sam-preprocess';
import type { SegmentPrompt } from '../lib/models/sam-prompt';

/**
 * The segmentation worker, started on first use. After a failure inside ONNX Runtime (out of
 * memory, a lost GPU device) the worker may be unusable, so `reset()` ends it and the next
 * call starts a clean one; the caller loads the model again.
 */
export class SegmentClient {
  #worker: Worker | undefined;
  #api: Remote<SegmentApi> | undefined;

  #remote(): Remote<SegmentApi> {
    if (!this.#api) {
      this.#worker = new Worker(new URL('../../workers/segment.worker.ts', import.meta.url), {
        type: 'module',
        name: 'segment',
      });
      this.#api = wrap<SegmentApi>(this.#worker);
    }
    return this.#api;
  }

  load(
    model: SegmentationModel,
    baseUrl: string,
    preference: BackendPreference,
    onProgress: (p: FileProgress) => void,
    picked?: Map<string, Uint8Array>,
  ) {
    const buffers = picked ? [...picked.values()].map((b) => b.buffer as ArrayBuffer) : [];
    return this.#remote().load(model, transfer({ baseUrl, picked }, buffers), preference, proxy(onProgress));
  }

  cancelLoad(): void {
    void this.#api?.cancelLoad();
  }

  /** The pixels are transferred: pass a copy the caller no longer needs. */
  encode(key: string, image: DisplayedImage) {
    return this.#remote().encode(key, transfer(image, [image.rgba.buffer as ArrayBuffer]));
  }

  decode(key: string, prompt: SegmentPrompt, size: { width: number; height: number }, seq: number, refine: boolean) {
    return this.#remote().decode(key, prompt, size, seq, refine);
  }

  stats() {
    return this.#remote().stats();
  }

  reset(): void {
    this.#worker?.terminate();
    this.#worker = undefined;
    this.#api = undefined;
  }
}
