import { chooseBackend, detectCapabilities, type BackendInfo, type BackendPreference } from './backend';
import { EmbeddingCache } from './embedding-cache';
import { displayName, type SegmentationModel } from './manifest';
import { importModelFiles, loadModelFile, openModelCache, type FileProgress } from './model-files';
import { NO_TRANSFER, SamSession, type DecodedMask, type Embedding, type Transfer } from './sam-session';
import type { DisplayedImage } from './sam-preprocess';
import { isEmptyPrompt, type SegmentPrompt } from './sam-prompt';
import { propagate, type PropagationLimits, type SliceMask, type StopReason } from './propagate';

/** A slice as the propagation asks the page for it: its embedding key and its displayed pixels. */
export interface PropagationSlice {
  key: string;
  image: DisplayedImage;
}

export interface PropagationRequest {
  count: number;
  start: number;
  /** The seed slice's key (its last decode's low-res logits seed mask_input) and its mask. */
  seed: { key: string; width: number; height: number; mask: Uint8Array };
  /** Stop rules; the defaults of propagate.ts unless given (the bench lifts them for random-weight models). */
  limits?: PropagationLimits;
}

export interface PropagatedSlice {
  index: number;
  mask: Uint8Array;
  width: number;
  height: number;
  iou: number;
  box: NonNullable<SegmentPrompt['box']>;
}

export interface LoadResult {
  backend: BackendInfo;
  model: string;
  /** False when a file had no pinned sha256. */
  verified: boolean;
}

export type DecodeResult =
  (Omit<DecodedMask, 'lowRes' | 'transfer'> & { seq: number; ms: number; stale: false }) | { seq: number; stale: true };

export interface SegmenterStats {
  encodes: number;
  decodes: number;
  skipped: number;
  cachedEmbeddings: number;
  /** Their bytes, wherever they are held (GPU buffers on WebGPU). */
  embeddingBytes: number;
  /** Bytes the last decode moved between CPU and GPU (zero on WASM). */
  lastTransfer: Readonly<Transfer>;
}

/**
 * The segmentation engine a worker exposes: loads a model, encodes each image once (embeddings
 * kept per key in an LRU), and decodes prompts newest-first. Calls run one at a time in
 * arrival order; a decode whose sequence number is older than the newest one asked for is
 * skipped, so dragging a box only ever runs the decoder for the latest box.
 */
export class Segmenter {
  #session: SamSession | undefined;
  #embeddings = new EmbeddingCache<Embedding>();
  #queue: Promise<unknown> = Promise.resolve();
  #newestSeq = -1;
  #previous = new Map<string, Float32Array>();
  #stats = {
    encodes: 0,
    decodes: 0,
    skipped: 0,
    lastTransfer: NO_TRANSFER,
  };
  #abort: AbortController | undefined;
  #propagationCancelled = false;

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async load(
    model: SegmentationModel,
    source: { baseUrl: string; picked?: Map<string, Uint8Array> },
    preference: BackendPreference,
    onProgress: (p: FileProgress) => void,
  ): Promise<LoadResult> {
    this.#abort?.abort();
    const abort = (this.#abort = new AbortController());
    return this.#serial(async () => {
      await this.#dispose();
      const cache = await openModelCache();
      if (source.picked) await importModelFiles(model, source.picked, source.baseUrl, cache);
      const files = new Map<string, Uint8Array>();
      let verified = true;
      for (const file of model.files) {
        const loaded = source.picked?.get(file.name)
          ? { bytes: source.picked.get(file.name)!, verified: file.sha256 !== null }
          : await loadModelFile(model, file, source.baseUrl, { signal: abort.signal, onProgress, cache });
        files.set(file.name, loaded.bytes);
        verified &&= loaded.verified;
      }
      abort.signal.throwIfAborted();
      const backend = chooseBackend(await detectCapabilities(), preference, model.encoder.largestTensorBytes);
      this.#session = await SamSession.create(
        model,
        { encoder: files.get(model.encoder.file)!, decoder: files.get(model.decoder.file)! },
        backend,
      );
      return { backend, model: displayName(model), verified };
    });
  }

  /** Stops a model download in progress; the load call rejects with an AbortError. */
  cancelLoad(): void {
    this.#abort?.abort();
  }

  /** Encodes the displayed image under `key` unless that embedding is cached. */
  encode(key: string, image: DisplayedImage): Promise<{ ms: number; cached: boolean }> {
    return this.#serial(async () => {
      const session = this.#requireSession();
      if (this.#embeddings.get(key)) return { ms: 0, cached: true };
      const start = performance.now();
      this.#embeddings.set(key, await session.encode(image));
      this.#stats.encodes++;
      return { ms: performance.now() - start, cached: false };
    });
  }

  /**
   * With `refine`, the previous mask's low-res logits on this image go in as mask_input (SAM's
   * iterative refinement: adding a point to an existing prompt); without, it starts afresh.
   */
  decode(
    key: string,
    prompt: SegmentPrompt,
    size: { width: number; height: number },
    seq: number,
    refine = false,
  ): Promise<DecodeResult> {
    this.#newestSeq = Math.max(this.#newestSeq, seq);
    return this.#serial(async () => {
      if (seq < this.#newestSeq) {
        this.#stats.skipped++;
        return { seq, stale: true };
      }
      const session = this.#requireSession();
      const embedding = this.#embeddings.get(key);
      if (!embedding) throw new Error(`no embedding for ${key}: encode the image first`);
      if (isEmptyPrompt(prompt)) throw new Error('the prompt has no point and no box');
      const start = performance.now();
      const previous = refine ? this.#previous.get(key) : undefined;
      const { lowRes, transfer, ...result } = await session.decode(
        embedding,
        prompt,
        size.width,
        size.height,
        previous,
      );
      this.#previous.set(key, lowRes);
      this.#stats.decodes++;
      this.#stats.lastTransfer = transfer;
      return { ...result, seq, ms: performance.now() - start, stale: false };
    });
  }

  /**
   * Carries the seed mask through the series (propagate.ts), in this worker: `slice` asks the
   * page for each slice's pixels (encoded once, cached with the others), `onSlice` hands each
   * mask back as soon as it is decoded. Each encode and decode waits its turn in the same queue
   * as interactive prompts, so a prompt on screen is never stuck behind a whole propagation.
   */
  async propagate(
    request: PropagationRequest,
    slice: (index: number) => Promise<PropagationSlice>,
    onSlice: (result: PropagatedSlice) => void,
  ): Promise<{ up: StopReason; down: StopReason; visited: number[] }> {
    this.#propagationCancelled = false;
    const seed: SliceMask = {
      ...request.seed,
      iou: 1,
      lowRes: this.#previous.get(request.seed.key),
    };
    return propagate({
      count: request.count,
      start: request.start,
      seed,
      limits: request.limits,
      cancelled: () => this.#propagationCancelled,
      segment: async (index, prompt, previous) => {
        const { key, image } = await slice(index);
        await this.encode(key, image);
        return this.#serial(async () => {
          const session = this.#requireSession();
          const embedding = this.#embeddings.get(key);
          if (!embedding) throw new Error(`no embedding for ${key}`);
          const decoded = await session.decode(embedding, prompt, image.width, image.height, previous.lowRes);
          this.#previous.set(key, decoded.lowRes);
          this.#stats.decodes++;
          this.#stats.lastTransfer = decoded.transfer;
          return decoded;
        });
      },
      onSlice: (index, result, prompt) =>
        onSlice({
          index,
          mask: result.mask,
          width: result.width,
          height: result.height,
          iou: result.iou,
          box: prompt.box!,
        }),
    });
  }

  /** Stops a propagation before its next slice; the slices done so far stay. */
  cancelPropagation(): void {
    this.#propagationCancelled = true;
  }

  stats(): SegmenterStats {
    return { ...this.#stats, cachedEmbeddings: this.#embeddings.size, embeddingBytes: this.#embeddings.bytes };
  }

  #requireSession(): SamSession {
    if (!this.#session) throw new Error('no segmentation model is loaded');
    return this.#session;
  }

  async #dispose(): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    this.#embeddings.clear();
    this.#previous.clear();
    this.#newestSeq = -1;
    await session?.release();
  }

  dispose(): Promise<void> {
    return this.#serial(() => this.#dispose());
  }
}
