import { detectCapabilities, runnableEntry, type BackendInfo, type BackendPreference } from '../lib/models/backend';
import { displayName, modelSha256, type ModelEntry, type SegmentationModel } from '../lib/models/manifest';
import type { Provenance } from '../lib/overlays/overlay-layer';
import type { FileProgress } from '../lib/models/model-files';
import { isEmptyPrompt, type SegmentPrompt } from '../lib/models/sam-prompt';
import type { SegmentClient } from '../services/segment-client';
import type { Rendering, ViewerState } from './viewer.svelte';
import type { StopReason } from '../lib/models/propagate';
import type { Slice } from '../lib/imaging/series';
import type { WindowLevel } from '../lib/imaging/types';
import { renderFrame } from '../lib/imaging/window';
import { transfer } from 'comlink';

/** A prompt's outcome: its mask, 'superseded' by a newer prompt on the same image, or nothing (no model, no image, or a failure, which `error` says). */
export type SegmentOutcome = { mask: Uint8Array; width: number; height: number } | 'superseded' | undefined;

export interface PropagationStatus {
  running: boolean;
  done: number;
  total: number;
  /** Estimated milliseconds left (from the pace so far). */
  leftMs?: number;
  stops?: { up: StopReason; down: StopReason };
}

/** The embedding key of a slice as displayed: its id, the window and the inversion. */
const keyOf = (slice: Slice, window: WindowLevel, invert: boolean) =>
  `${slice.id}#${window.center}/${window.width}#${invert}`;

export type SegmentTool = 'box' | 'point' | 'negative';
export type SegmentStatus = 'idle' | 'loading' | 'ready' | 'encoding' | 'error';

const MASK_COLOR = '#ffc933';

/**
 * Interactive segmentation over the viewer's current slice: which model, its load progress
 * and backend, the prompt being drawn, and the mask it produced (drawn into the overlay).
 */
export class SegmentationState {
  #viewer: ViewerState;
  #client: SegmentClient;
  #modelsUrl: string;
  #models = $state.raw<SegmentationModel[]>([]);
  #selected = $state<string | undefined>(undefined);
  #preference = $state<BackendPreference>('auto');
  #status = $state<SegmentStatus>('idle');
  #progress = $state.raw<FileProgress | undefined>(undefined);
  #loaded = $state.raw<
    { model: SegmentationModel; backend: BackendInfo; verified: boolean; sha256: string | null } | undefined
  >(undefined);
  #error = $state<string | undefined>(undefined);
  /** Said when another entry than the chosen one was loaded (an fp16 model without shader-f16). */
  #notice = $state<string | undefined>(undefined);
  #tool = $state<SegmentTool | undefined>(undefined);
  /** Each image's prompt (keyed by slice id): a prompt belongs to the image it was drawn on. */
  #prompts = $state.raw<Record<string, SegmentPrompt>>({});
  #timing = $state.raw<{ encodeMs?: number; decodeMs?: number; iou?: number }>({});
  #propagation = $state.raw<PropagationStatus | undefined>(undefined);
  #loading: { id: string; done: Promise<void> } | undefined;
  #encodedKey: string | undefined;
  #encoding: Promise<void> | undefined;
  #seq = 0;
  /** Per slice id: the newest prompt's sequence number, its mask overlay, its prompt marks. */
  // Bookkeeping that no view reads, so plain (not reactive) maps.
  /* eslint-disable svelte/prefer-svelte-reactivity */
  #newest = new Map<string, number>();
  #masks = new Map<string, string>();
  #promptIds = new Map<string, string[]>();
  /* eslint-enable svelte/prefer-svelte-reactivity */

  constructor(viewer: ViewerState, client: SegmentClient, modelsUrl: string) {
    this.#viewer = viewer;
    this.#client = client;
    this.#modelsUrl = modelsUrl;
  }

  get models() {
    return this.#models;
  }
  get selected() {
    return this.#models.find((m) => m.id === this.#selected);
  }
  get preference() {
    return this.#preference;
  }
  get status() {
    return this.#status;
  }
  get progress() {
    return this.#progress;
  }
  get loaded() {
    return this.#loaded;
  }
  get notice() {
    return this.#notice;
  }
  get error() {
    return this.#error;
  }
  get tool() {
    return this.#tool;
  }
  /** The prompt on the displayed slice (empty on a slice that has none yet). */
  get prompt(): SegmentPrompt {
    const id = this.#viewer.slice?.id;
    return (id !== undefined && this.#prompts[id]) || { points: [] };
  }
  get timing() {
    return this.#timing;
  }
  get propagation() {
    return this.#propagation;
  }

  /** Takes the segmentation entries of the model list (fetched once for every panel). */
  async useModels(catalog: Promise<ModelEntry[]>): Promise<void> {
    try {
      this.#models = (await catalog).filter((m): m is SegmentationModel => m.task === 'segmentation');
      this.#selected ??= (this.#models.find((m) => !m.fixture) ?? this.#models[0])?.id;
    } catch (error) {
      this.#fail(`the model list could not be read: ${(error as Error).message}`);
    }
  }

  select(id: string): void {
    this.#selected = id;
  }

  setPreference(preference: BackendPreference): void {
    this.#preference = preference;
  }

  setTool(tool: SegmentTool | undefined): void {
    this.#tool = this.#loaded ? tool : undefined;
  }

  /**
   * Loads the selected model from models/<id>/ (or the picked files) into the worker. While a
   * load of the same model from the same place is under way, callers share it.
   */
  load(picked?: Map<string, Uint8Array>): Promise<void> {
    const model = this.selected;
    if (!model) return Promise.resolve();
    if (!picked && this.#loading?.id === model.id) return this.#loading.done;
    const done = this.#load(model, picked).finally(() => {
      if (this.#loading?.done === done) this.#loading = undefined;
    });
    this.#loading = picked ? undefined : { id: model.id, done };
    return done;
  }

  async #load(chosen: SegmentationModel, picked?: Map<string, Uint8Array>): Promise<void> {
    this.#status = 'loading';
    this.#error = undefined;
    this.#notice = undefined;
    this.#loaded = undefined;
    this.#encodedKey = undefined;
    this.#encoding = undefined;
    try {
      // Files the user picked are that model's own; only a download can switch to the stand-in.
      const { model, notice } = picked
        ? { model: chosen, notice: undefined }
        : runnableEntry(chosen, this.#models, await detectCapabilities(), this.#preference);
      this.#notice = notice;
      const result = await this.#client.load(
        model,
        this.#modelsUrl,
        this.#preference,
        (p) => (this.#progress = p),
        picked,
      );
      this.#loaded = { model, backend: result.backend, verified: result.verified, sha256: await modelSha256(model) };
      this.#status = 'ready';
      this.#tool ??= 'box';
    } catch (error) {
      if ((error as Error).name === 'AbortError') this.#status = 'idle';
      else this.#fail((error as Error).message);
    } finally {
      this.#progress = undefined;
    }
  }

  cancelLoad(): void {
    this.#client.cancelLoad();
  }

  /** Encoder and decoder runs so far in the worker (what the tests and the bench read). */
  stats() {
    return this.#client.stats();
  }

  /** The key of what the encoder sees: the slice (by id) as displayed, window and inversion included. */
  #currentKey(): string | undefined {
    const { slice, window, invert } = this.#viewer;
    return slice && window ? keyOf(slice, window, invert) : undefined;
  }

  #ensureEncoded(key: string, rendering: Rendering): Promise<void> {
    if (this.#encodedKey === key && this.#encoding) return this.#encoding;
    // The encoder gets exactly what the user sees: the viewer's rendering, copied because the
    // worker takes the buffer.
    const { width, height, rgba } = rendering;
    this.#status = 'encoding';
    this.#encodedKey = key;
    this.#encoding = this.#client.encode(key, { width, height, rgba: rgba.slice() }).then(
      ({ ms, cached }) => {
        if (!cached) this.#timing = { ...this.#timing, encodeMs: ms };
        this.#status = 'ready';
      },
      (error: Error) => {
        this.#encodedKey = undefined;
        this.#encoding = undefined;
        throw error;
      },
    );
    return this.#encoding;
  }

  /** A box being dragged: each call decodes the newest box; older results are dropped. */
  async setBox(box: { x0: number; y0: number; x1: number; y1: number }): Promise<void> {
    await this.#run({ points: this.prompt.points, box }, false);
  }

  /** Adds a point; the previous mask refines the next one (SAM's mask_input). */
  async addPoint(x: number, y: number, positive: boolean): Promise<void> {
    const prompt = this.prompt;
    await this.#run({ ...prompt, points: [...prompt.points, { x, y, positive }] }, true);
  }

  /** Clears the displayed slice's prompt and mask; other images keep theirs. */
  clear(): void {
    const id = this.#viewer.slice?.id;
    if (id === undefined) return;
    const { [id]: _, ...others } = this.#prompts;
    this.#prompts = others;
    this.#drawPrompt(id, { points: [] });
    const mask = this.#masks.get(id);
    if (mask) this.#viewer.overlay.remove(mask);
    this.#masks.delete(id);
    this.#newest.delete(id);
  }

  /**
   * Segments with a whole prompt at once (the embed protocol, a VLM's box); resolves with the
   * mask drawn. `origin` says where a prompt came from when no person drew it (a VLM answer).
   */
  async run(prompt: SegmentPrompt, origin?: Pick<Provenance, 'question' | 'answer' | 'vlm'>): Promise<SegmentOutcome> {
    return this.#run(prompt, false, origin);
  }

  async #run(
    prompt: SegmentPrompt,
    refine: boolean,
    origin?: Pick<Provenance, 'question' | 'answer' | 'vlm'>,
  ): Promise<SegmentOutcome> {
    const key = this.#currentKey();
    const rendering = this.#viewer.rendering;
    if (!this.#loaded || !key || !rendering || isEmptyPrompt(prompt)) return undefined;
    // Everything below belongs to this slice, whatever is displayed when the answer comes.
    const image = rendering.slice.id;
    this.#prompts = { ...this.#prompts, [image]: prompt };
    this.#drawPrompt(image, prompt);
    const seq = ++this.#seq;
    this.#newest.set(image, seq);
    try {
      await this.#ensureEncoded(key, rendering);
      const { width, height } = rendering;
      const result = await this.#client.decode(key, prompt, { width, height }, seq, refine);
      // Only the newest prompt's mask of each image is kept; an older one that finished late is dropped.
      if (result.stale || this.#newest.get(image) !== seq) return 'superseded';
      this.#storeMask(image, result, prompt, origin);
      this.#timing = { ...this.#timing, decodeMs: result.ms, iou: result.iou };
      return { mask: result.mask, width: result.width, height: result.height };
    } catch (error) {
      // Anything thrown inside ONNX Runtime may leave the worker unusable: start afresh.
      const failed = this.#loaded;
      this.#client.reset('segmentation stopped after an error');
      this.#loaded = undefined;
      this.#tool = undefined;
      this.#encodedKey = undefined;
      this.#encoding = undefined;
      const reason = (error as Error).message;
      // A GPU that fails (a lost device, an allocation refused) leaves WASM: load the same model
      // there and answer this prompt, rather than leave a dead panel.
      if (failed?.backend.provider === 'webgpu') {
        this.#selected = failed.model.id;
        this.#preference = 'wasm';
        await this.load();
        if (this.#loaded) {
          this.#notice = `WebGPU failed (${reason}): switched to WASM, which runs on the CPU.`;
          return this.#run(prompt, refine, origin);
        }
        return undefined;
      }
      this.#fail(`segmentation failed: ${reason}. The model was unloaded; load it again to continue.`);
    }
  }

  /** Puts a slice's mask in the overlay layer, replacing the slice's earlier one. */
  #storeMask(
    image: string,
    result: { mask: Uint8Array; width: number; height: number },
    prompt: SegmentPrompt,
    origin?: Pick<Provenance, 'question' | 'answer' | 'vlm' | 'propagatedFrom'>,
  ): void {
    if (!this.#loaded) return;
    const old = this.#masks.get(image);
    if (old) this.#viewer.overlay.remove(old);
    const { model, sha256 } = this.#loaded;
    this.#masks.set(
      image,
      this.#viewer.overlay.addMask({
        image,
        width: result.width,
        height: result.height,
        data: result.mask,
        color: MASK_COLOR,
        opacity: 0.45,
        label: displayName(model),
        provenance: {
          model: { id: model.id, name: displayName(model), sha256 },
          prompt: { points: prompt.points, ...(prompt.box ? { box: prompt.box } : {}) },
          ...origin,
        },
      }),
    );
  }

  /**
   * Carries the displayed slice's mask through its series in the worker, slice by slice in both
   * directions (propagate.ts); each slice's mask replaces that slice's earlier one as it comes.
   * Slices are rendered with the displayed window, as the encoder always sees them.
   */
  async propagate(): Promise<void> {
    const { stack, slice, window, invert } = this.#viewer;
    const seedId = slice ? this.#masks.get(slice.id) : undefined;
    const seed = this.#viewer.overlay.list().find((o) => o.id === seedId);
    if (!this.#loaded || !stack || !slice || !window || this.#propagation?.running) return;
    if (!seed || seed.kind !== 'mask') {
      this.#error = 'make a mask on this slice first, then propagate it';
      return;
    }
    this.#error = undefined;
    const start = stack.slices.indexOf(slice);
    const total = stack.slices.length - 1;
    const began = performance.now();
    this.#propagation = { running: true, done: 0, total };
    try {
      const stops = await this.#client.propagate(
        {
          count: stack.slices.length,
          start,
          seed: { key: keyOf(slice, window, invert), width: seed.width, height: seed.height, mask: seed.data.slice() },
        },
        async (index) => {
          const s = stack.slices[index]!;
          const rgba = renderFrame(s.image, s.frame, { window, invert });
          const image = { width: s.image.width, height: s.image.height, rgba };
          return transfer({ key: keyOf(s, window, invert), image }, [rgba.buffer as ArrayBuffer]);
        },
        (result) => {
          this.#storeMask(
            stack.slices[result.index]!.id,
            result,
            { points: [], box: result.box },
            { propagatedFrom: slice.id },
          );
          const done = (this.#propagation?.done ?? 0) + 1;
          const perSlice = (performance.now() - began) / done;
          this.#propagation = { running: true, done, total, leftMs: perSlice * Math.max(0, total - done) };
        },
      );
      this.#propagation = {
        running: false,
        done: this.#propagation?.done ?? 0,
        total,
        stops: { up: stops.up, down: stops.down },
      };
    } catch (error) {
      this.#propagation = undefined;
      this.#fail(`propagation failed: ${(error as Error).message}`);
    }
  }

  /**
   * Encodes the displayed slice and its neighbours (±1, ±2) ahead of any prompt, so that the
   * first prompt, scrolling and propagation find them ready. Only for a model whose last encode
   * took under a second: a slower one (a real encoder on WASM) would hold the queue that
   * interactive prompts wait in.
   */
  lookAhead(): void {
    const { stack, slice, window, invert } = this.#viewer;
    const fast = (this.#timing.encodeMs ?? Infinity) < 1000;
    if (!this.#loaded || !stack || !slice || !window || !fast || this.#propagation?.running) return;
    const at = stack.slices.indexOf(slice);
    for (const step of [0, 1, -1, 2, -2]) {
      const s = stack.slices[at + step];
      if (!s) continue;
      const rgba = renderFrame(s.image, s.frame, { window, invert });
      const image = { width: s.image.width, height: s.image.height, rgba };
      this.#client.encode(keyOf(s, window, invert), image).catch(() => undefined);
    }
  }

  stopPropagation(): void {
    this.#client.cancelPropagation();
  }

  #drawPrompt(image: string, { points, box }: SegmentPrompt): void {
    const overlay = this.#viewer.overlay;
    for (const id of this.#promptIds.get(image) ?? []) overlay.remove(id);
    const ids = points.map((p) =>
      overlay.addBox({
        image,
        x0: p.x - 1.5,
        y0: p.y - 1.5,
        x1: p.x + 1.5,
        y1: p.y + 1.5,
        color: p.positive ? '#7ddf3a' : '#ff4d4d',
      }),
    );
    if (box) ids.push(overlay.addBox({ ...box, image, color: '#33c3ff', label: 'prompt' }));
    this.#promptIds.set(image, ids);
  }

  #fail(message: string): void {
    this.#status = 'error';
    this.#error = message;
  }
}
