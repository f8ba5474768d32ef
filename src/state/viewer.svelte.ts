import type { DecodedImage, OpenImage, WindowLevel } from '../lib/imaging/types';
import { buildStacks, sliceId, type Slice, type Stack } from '../lib/imaging/series';
import { dicomLabToHex } from '../lib/export/cielab';
import { defaultWindow, renderFrame, WINDOW_PRESETS, type WindowPreset } from '../lib/imaging/window';
import {
  FIT_VIEW,
  imageToScreenMatrix,
  zoomAbout,
  type Point,
  type Size,
  type ViewState,
} from '../lib/geometry/view-transform';
import { OverlayLayer, type Overlay } from '../lib/overlays/overlay-layer';

export interface Message {
  id: number;
  text: string;
}

export interface Decoder {
  decode(file: File): Promise<DecodedImage>;
}

/** The displayed slice windowed to 8-bit RGBA at image resolution: what the user sees. */
export interface Rendering {
  slice: Slice;
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
}

/**
 * One viewer's state: the images opened, which slice is shown and how, and what went wrong.
 * It owns the displayed slice's one windowed rendering (the viewport draws it, segmentation
 * and the VLM are fed it) and decides which overlays are shown: only the displayed slice's.
 */
export class ViewerState {
  readonly overlay = new OverlayLayer();
  #decoder: Decoder;
  #images = $state.raw<OpenImage[]>([]);
  #nextImage = 1;
  #allOverlays = $state.raw<readonly Overlay[]>([]);
  /** DICOM Segmentations opened before the images they belong to: drawn once those open. */
  #pendingSegmentations: OpenImage[] = [];
  #toldPending = new WeakSet<OpenImage>();
  #measuring = $state(false);
  #stacks = $derived(buildStacks(this.#images));
  #stackIndex = $state(0);
  #sliceIndex = $state(0);
  #window = $state.raw<WindowLevel | undefined>(undefined);
  #invert = $state(false);
  #view = $state.raw<ViewState>(FIT_VIEW);
  #viewport = $state.raw<Size>({ width: 1, height: 1 });
  #pixelRatio = $state(1);
  #messages = $state.raw<Message[]>([]);
  #progress = $state.raw<{ done: number; total: number } | undefined>(undefined);
  #abort: AbortController | undefined;
  #nextMessage = 1;

  #rendering = $derived.by((): Rendering | undefined => {
    const slice = this.slice;
    const window = this.window;
    if (!slice || !window) return undefined;
    const { image, frame } = slice;
    const rgba = renderFrame(image, frame, { window, invert: this.#invert });
    return { slice, width: image.width, height: image.height, rgba };
  });
  /**
   * The displayed slice's overlays; the same array while they are unchanged, so that a result
   * arriving for another slice (propagation) does not redraw the canvas or re-measure the panel.
   */
  #overlays = $derived.by(() => {
    const id = this.slice?.id;
    const shown = id === undefined ? [] : this.#allOverlays.filter((o) => o.image === id);
    const last = this.#lastShown;
    if (shown.length === last.length && shown.every((o, i) => o === last[i])) return last;
    return (this.#lastShown = shown);
  });
  #lastShown: readonly Overlay[] = [];

  constructor(decoder: Decoder) {
    this.#decoder = decoder;
    // Results of every image stay in the layer; only the displayed slice's are shown.
    this.overlay.on('change', (list) => (this.#allOverlays = list));
  }

  get stacks(): Stack[] {
    return this.#stacks;
  }
  get stackIndex(): number {
    return this.#stackIndex;
  }
  get stack(): Stack | undefined {
    return this.#stacks[this.#stackIndex];
  }
  get sliceIndex(): number {
    return this.#sliceIndex;
  }
  get slice(): Slice | undefined {
    return this.stack?.slices[this.#sliceIndex];
  }
  get window(): WindowLevel | undefined {
    const slice = this.slice;
    return slice ? (this.#window ?? defaultWindow(slice.image, slice.frame)) : undefined;
  }
  get invert(): boolean {
    return this.#invert;
  }
  /** The displayed slice as shown (window, inversion): computed once per change, shared. */
  get rendering(): Rendering | undefined {
    return this.#rendering;
  }
  /** The length tool: a left drag draws a measuring line. */
  get measuring(): boolean {
    return this.#measuring;
  }
  setMeasuring(on: boolean): void {
    this.#measuring = on;
  }
  /** Every overlay of every image (exports and volumes read them). */
  get allOverlays(): readonly Overlay[] {
    return this.#allOverlays;
  }
  /** Overlays of the displayed slice; other images' results are kept, not drawn. */
  get overlays(): readonly Overlay[] {
    return this.#overlays;
  }
  get view(): ViewState {
    return this.#view;
  }
  get viewport(): Size {
    return this.#viewport;
  }
  get pixelRatio(): number {
    return this.#pixelRatio;
  }
  get messages(): Message[] {
    return this.#messages;
  }
  get progress(): { done: number; total: number } | undefined {
    return this.#progress;
  }

  /**
   * Decodes files one after another; each failure becomes a message naming the file and the
   * reason, and never disturbs the images already open.
   */
  async open(files: File[]): Promise<void> {
    if (files.length === 0) return;
    this.#abort?.abort();
    const abort = (this.#abort = new AbortController());
    const firstNew = this.#images.length;
    this.#progress = { done: 0, total: files.length };
    for (const [i, file] of files.entries()) {
      if (abort.signal.aborted) break;
      try {
        const decoded = await this.#decoder.decode(file);
        if (abort.signal.aborted) break;
        // Identity is given here, never taken from the file name (two studies' IM0001.dcm).
        const image: OpenImage = { ...decoded, id: `image-${this.#nextImage++}` };
        // A SEG is not a picture to scroll: its frames become masks on the images it references.
        if (image.segmentation) this.#pendingSegmentations.push(image);
        else this.#images = [...this.#images, image];
        for (const warning of decoded.warnings ?? []) this.report(`${file.name}: ${warning}`);
      } catch (error) {
        this.report(`${file.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
      this.#progress = { done: i + 1, total: files.length };
    }
    if (this.#abort === abort) {
      this.#progress = undefined;
      this.#abort = undefined;
    }
    this.#drawSegmentations();
    const added = this.#images[firstNew];
    if (added) this.selectStack(this.#stacks.findIndex((s) => s.slices.some((slice) => slice.image === added)));
  }

  /**
   * Draws each pending DICOM Segmentation's frames as masks on the slices they reference (by
   * SOP Instance UID and frame number); one whose images are not open yet waits for them.
   */
  #drawSegmentations(): void {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local lookup, not state
    const byUid = new Map(this.#images.flatMap((i) => (i.instanceUid ? [[i.instanceUid, i] as const] : [])));
    this.#pendingSegmentations = this.#pendingSegmentations.filter((seg) => {
      const { segments, frames } = seg.segmentation!;
      let drawn = 0;
      frames.forEach((frame, f) => {
        const source = frame.sourceInstanceUid ? byUid.get(frame.sourceInstanceUid) : undefined;
        const target = (frame.sourceFrame ?? 1) - 1;
        if (!source || source.width !== seg.width || source.height !== seg.height || !source.frames[target]) return;
        const segment = segments.find((s) => s.number === frame.segment);
        this.overlay.addMask({
          image: sliceId(source, target),
          width: seg.width,
          height: seg.height,
          data: seg.frames[f] as Uint8Array,
          label: segment?.label || `segment ${frame.segment}`,
          color: segment?.lab ? dicomLabToHex(segment.lab) : undefined,
          opacity: 0.45,
        });
        drawn++;
      });
      if (drawn > 0) return false;
      if (!this.#toldPending.has(seg)) {
        this.#toldPending.add(seg);
        this.report(`${seg.name}: its segments belong to images that are not open; open its series to see them`);
      }
      return true;
    });
  }

  cancelOpen(): void {
    this.#abort?.abort();
    this.#abort = undefined;
    this.#progress = undefined;
  }

  report(text: string): void {
    this.#messages = [...this.#messages, { id: this.#nextMessage++, text }];
  }

  dismiss(id: number): void {
    this.#messages = this.#messages.filter((m) => m.id !== id);
  }

  selectStack(index: number): void {
    if (index < 0 || index >= this.#stacks.length) return;
    this.#stackIndex = index;
    this.#sliceIndex = 0;
    this.#window = undefined;
    this.#view = FIT_VIEW;
  }

  scroll(delta: number): void {
    const count = this.stack?.slices.length ?? 0;
    if (count > 0) this.#sliceIndex = Math.min(count - 1, Math.max(0, this.#sliceIndex + delta));
  }

  setWindow(window: WindowLevel): void {
    this.#window = { center: window.center, width: Math.max(1, window.width) };
  }

  applyPreset(preset: WindowPreset): void {
    this.setWindow(WINDOW_PRESETS[preset]);
  }

  toggleInvert(): void {
    this.#invert = !this.#invert;
  }

  resetView(): void {
    this.#view = FIT_VIEW;
    this.#window = undefined;
  }

  pan(dx: number, dy: number): void {
    this.#view = { ...this.#view, panX: this.#view.panX + dx, panY: this.#view.panY + dy };
  }

  zoom(factor: number, anchor: Point = { x: this.#viewport.width / 2, y: this.#viewport.height / 2 }): void {
    const slice = this.slice;
    if (slice) this.#view = zoomAbout(this.#view, factor, anchor, slice.image, this.#viewport);
  }

  setViewport(size: Size, pixelRatio: number): void {
    this.#viewport = size;
    this.#pixelRatio = pixelRatio;
  }

  /** Image pixels → device pixels of the viewport canvas (what a canvas read-back addresses). */
  imageToDevice(): [number, number, number, number, number, number] | undefined {
    const slice = this.slice;
    if (!slice) return undefined;
    const [a, b, c, d, e, f] = imageToScreenMatrix(slice.image, this.#viewport, this.#view);
    const r = this.#pixelRatio;
    return [a * r, b * r, c * r, d * r, e * r, f * r];
  }
}
