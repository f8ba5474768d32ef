import type { BackendInfo, BackendPreference } from '../lib/models/backend';
import { displayName, type ModelEntry, type SegmentationModel } from '../lib/models/manifest';
import type { FileProgress } from '../lib/models/model-files';
import { isEmptyPrompt, type SegmentPrompt } from '../lib/models/sam-prompt';
import { renderFrame } from '../lib/imaging/window';
import type { SegmentClient } from '../services/segment-client';
import type { ViewerState } from './viewer.svelte';

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
  #loaded = $state.raw<{ model: SegmentationModel; backend: BackendInfo; verified: boolean } | undefined>(undefined);
  #error = $state<string | undefined>(undefined);
  #tool = $state<SegmentTool | undefined>(undefined);
  #prompt = $state.raw<SegmentPrompt>({ points: [] });
  #timing = $state.raw<{ encodeMs?: number; decodeMs?: number; iou?: number }>({});
  #encodedKey: string | undefined;
  #encoding: Promise<void> | undefined;
  #seq = 0;
  #maskId: string | undefined;
  #promptIds: string[] = [];

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
  get error() {
    return this.#error;
  }
  get tool() {
    return this.#tool;
  }
  get prompt() {
    return this.#prompt;
  }
  get timing() {
    return this.#timing;
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

  /** Loads the selected model from models/<id>/ (or the picked files) into the worker. */
  async load(picked?: Map<string, Uint8Array>): Promise<void> {
    const model = this.selected;
    if (!model) return;
    this.#status = 'loading';
    this.#error = undefined;
    this.#loaded = undefined;
    this.#encodedKey = undefined;
    this.#encoding = undefined;
    try {
      const result = await this.#client.load(
        model,
        this.#modelsUrl,
        this.#preference,
        (p) => (this.#progress = p),
        picked,
      );
      this.#loaded = { model, backend: result.backend, verified: result.verified };
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

  /** The key of what the encoder sees: the slice as displayed (window and inversion included). */
  #currentKey(): string | undefined {
    const { slice, window, invert } = this.#viewer;
    if (!slice || !window) return undefined;
    return `${slice.image.name}#${slice.frame}#${window.center}/${window.width}#${invert}`;
  }

  #ensureEncoded(key: string): Promise<void> {
    if (this.#encodedKey === key && this.#encoding) return this.#encoding;
    const { slice, window, invert } = this.#viewer;
    if (!slice || !window) return Promise.resolve();
    const { image, frame } = slice;
    // The encoder gets exactly what the user sees: the windowed 8-bit frame as RGB.
    const rgba = renderFrame(image, frame, { window, invert });
    this.#status = 'encoding';
    this.#encodedKey = key;
    this.#encoding = this.#client.encode(key, { width: image.width, height: image.height, rgba }).then(
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
    await this.#run({ points: this.#prompt.points, box }, false);
  }

  /** Adds a point; the previous mask refines the next one (SAM's mask_input). */
  async addPoint(x: number, y: number, positive: boolean): Promise<void> {
    await this.#run({ ...this.#prompt, points: [...this.#prompt.points, { x, y, positive }] }, true);
  }

  clear(): void {
    this.#prompt = { points: [] };
    this.#drawPrompt();
    if (this.#maskId) this.#viewer.overlay.remove(this.#maskId);
    this.#maskId = undefined;
  }

  /** Segments with a whole prompt at once (the embed protocol); resolves with the mask drawn. */
  async run(prompt: SegmentPrompt): Promise<{ mask: Uint8Array; width: number; height: number } | undefined> {
    return this.#run(prompt, false);
  }

  async #run(
    prompt: SegmentPrompt,
    refine: boolean,
  ): Promise<{ mask: Uint8Array; width: number; height: number } | undefined> {
    const key = this.#currentKey();
    const slice = this.#viewer.slice;
    if (!this.#loaded || !key || !slice || isEmptyPrompt(prompt)) return undefined;
    this.#prompt = prompt;
    this.#drawPrompt();
    const seq = ++this.#seq;
    try {
      await this.#ensureEncoded(key);
      const { width, height } = slice.image;
      const result = await this.#client.decode(key, prompt, { width, height }, seq, refine);
      // Only the newest prompt's mask is drawn; an older one that finished late is dropped.
      if (result.stale || seq !== this.#seq || key !== this.#currentKey()) return undefined;
      if (this.#maskId) this.#viewer.overlay.remove(this.#maskId);
      this.#maskId = this.#viewer.overlay.addMask({
        width: result.width,
        height: result.height,
        data: result.mask,
        color: MASK_COLOR,
        opacity: 0.45,
        label: displayName(this.#loaded.model),
      });
      this.#timing = { ...this.#timing, decodeMs: result.ms, iou: result.iou };
      return { mask: result.mask, width: result.width, height: result.height };
    } catch (error) {
      // Anything thrown inside ONNX Runtime may leave the worker unusable: start afresh.
      this.#client.reset();
      this.#loaded = undefined;
      this.#tool = undefined;
      this.#encodedKey = undefined;
      this.#encoding = undefined;
      this.#fail(
        `segmentation failed: ${(error as Error).message}. The model was unloaded; load it again to continue.`,
      );
    }
  }

  #drawPrompt(): void {
    const overlay = this.#viewer.overlay;
    for (const id of this.#promptIds) overlay.remove(id);
    const { points, box } = this.#prompt;
    this.#promptIds = points.map((p) =>
      overlay.addBox({
        x0: p.x - 1.5,
        y0: p.y - 1.5,
        x1: p.x + 1.5,
        y1: p.y + 1.5,
        color: p.positive ? '#7ddf3a' : '#ff4d4d',
      }),
    );
    if (box) this.#promptIds.push(overlay.addBox({ ...box, color: '#33c3ff', label: 'prompt' }));
  }

  #fail(message: string): void {
    this.#status = 'error';
    this.#error = message;
  }
}
