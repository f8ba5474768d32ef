import { chooseBackend, detectCapabilities, type BackendInfo, type BackendPreference } from './backend';
import { EmbeddingCache } from './embedding-cache';
import { displayName, type SegmentationModel } from './manifest';
import { importModelFiles, loadModelFile, openModelCache, type FileProgress } from './model-files';
import { SamSession, type DecodedMask, type Embedding } from './sam-session';
import type { DisplayedImage } from './sam-preprocess';
import { isEmptyPrompt, type SegmentPrompt } from './sam-prompt';

export interface LoadResult {
  backend: BackendInfo;
  model: string;
  /** False when a file had no pinned sha256. */
  verified: boolean;
}

export type DecodeResult =
  (Omit<DecodedMask, 'lowRes'> & { seq: number; ms: number; stale: false }) | { seq: number; stale: true };

export interface SegmenterStats {
  encodes: number;
  decodes: number;
  skipped: number;
  cachedEmbeddings: number;
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
  #stats = { encodes: 0, decodes: 0, skipped: 0 };
  #abort: AbortController | undefined;

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
      const backend = chooseBackend(await detectCapabilities(), preference);
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
      const { lowRes, ...result } = await session.decode(embedding, prompt, size.width, size.height, previous);
      this.#previous.set(key, lowRes);
      this.#stats.decodes++;
      return { ...result, seq, ms: performance.now() - start, stale: false };
    });
  }

  stats(): SegmenterStats {
    return { ...this.#stats, cachedEmbeddings: this.#embeddings.size };
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
