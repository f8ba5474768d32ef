/**
 * Which model made a result from which prompt: every mask or box a model draws carries one, and
 * exports copy it. `sha256` is the model's (see modelSha256); null when a file was unpinned.
 */
export interface Provenance {
  model: { id: string; name: string; sha256: string | null };
  /** The prompt in image pixels. */
  prompt?: {
    points: { x: number; y: number; positive: boolean }[];
    box?: { x0: number; y0: number; x1: number; y1: number };
  };
  /** For a mask made from a VLM's box: the question, the answer, and the VLM. */
  question?: string;
  answer?: string;
  vlm?: { id: string; name: string; sha256: string | null };
  /** For a mask carried through a series: the slice id of the mask it was propagated from. */
  propagatedFrom?: string;
}

/**
 * Everything is in image pixel coordinates: independent of zoom, pan and screen density.
 * `image` is the slice id (`Slice.id`) the overlay belongs to: it is drawn on that image only.
 */
export interface BoxInput {
  image: string;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  label?: string;
  color?: string;
  opacity?: number;
  provenance?: Provenance;
}

/** A measuring line between two image points. */
export type LineInput = BoxInput;

/** A binary mask covering the whole image at its own resolution (nonzero = inside). */
export interface MaskInput {
  image: string;
  width: number;
  height: number;
  data: Uint8Array;
  label?: string;
  color?: string;
  opacity?: number;
  provenance?: Provenance;
}

interface Common {
  id: string;
  image: string;
  label: string;
  color: string;
  opacity: number;
  visible: boolean;
  provenance?: Provenance;
}
export type BoxOverlay = Common & { kind: 'box'; x0: number; y0: number; x1: number; y1: number };
export type MaskOverlay = Common & { kind: 'mask'; width: number; height: number; data: Uint8Array };
export type LineOverlay = Common & { kind: 'line'; x0: number; y0: number; x1: number; y1: number };
export type Overlay = BoxOverlay | MaskOverlay | LineOverlay;
export type OverlayPatch = Partial<Pick<Common, 'label' | 'color' | 'opacity' | 'visible'>>;

export interface OverlayEvents {
  change: readonly Overlay[];
}

const PALETTE = ['#ff4d4d', '#33c3ff', '#7ddf3a', '#ffc933', '#c86bff', '#ff8c33'];

function checkOpacity(opacity: number): number {
  if (!(opacity >= 0 && opacity <= 1)) throw new RangeError(`opacity ${opacity} is outside 0…1`);
  return opacity;
}

/**
 * The drawing layer shared by the viewer, segmentation and the VLM: labelled boxes and masks,
 * each with its own colour, visibility and opacity. Listeners hear every change.
 */
export class OverlayLayer {
  #items = new Map<string, Overlay>();
  #listeners = new Set<(overlays: readonly Overlay[]) => void>();
  #next = 1;

  addBox(box: BoxInput): string {
    const coords = [box.x0, box.y0, box.x1, box.y1];
    if (!coords.every(Number.isFinite))
      throw new RangeError(`box corners must be finite numbers: ${coords.join(', ')}`);
    const id = this.#id('box');
    this.#items.set(id, {
      kind: 'box',
      ...this.#common(id, box),
      x0: Math.min(box.x0, box.x1),
      y0: Math.min(box.y0, box.y1),
      x1: Math.max(box.x0, box.x1),
      y1: Math.max(box.y0, box.y1),
    });
    this.#emit();
    return id;
  }

  /** A line keeps its direction (x0, y0 → x1, y1), unlike a box. */
  addLine(line: LineInput): string {
    const coords = [line.x0, line.y0, line.x1, line.y1];
    if (!coords.every(Number.isFinite)) throw new RangeError(`line ends must be finite numbers: ${coords.join(', ')}`);
    const id = this.#id('line');
    this.#items.set(id, {
      kind: 'line',
      ...this.#common(id, line),
      x0: line.x0,
      y0: line.y0,
      x1: line.x1,
      y1: line.y1,
    });
    this.#emit();
    return id;
  }

  addMask(mask: MaskInput): string {
    if (!(Number.isInteger(mask.width) && Number.isInteger(mask.height) && mask.width > 0 && mask.height > 0)) {
      throw new RangeError(`mask size ${mask.width}×${mask.height} is not a positive integer size`);
    }
    if (mask.data.length !== mask.width * mask.height) {
      throw new RangeError(`mask data has ${mask.data.length} values, expected ${mask.width}×${mask.height}`);
    }
    const id = this.#id('mask');
    this.#items.set(id, {
      kind: 'mask',
      ...this.#common(id, { opacity: 0.5, ...mask }),
      width: mask.width,
      height: mask.height,
      data: mask.data,
    });
    this.#emit();
    return id;
  }

  /** Moves a line's or a box's corners (a line being drawn). */
  move(id: string, ends: { x0: number; y0: number; x1: number; y1: number }, label?: string): void {
    const item = this.#items.get(id);
    if (!item || item.kind === 'mask') throw new RangeError(`no line or box ${id}`);
    this.#items.set(id, { ...item, ...ends, label: label ?? item.label });
    this.#emit();
  }

  update(id: string, patch: OverlayPatch): void {
    const item = this.#items.get(id);
    if (!item) throw new RangeError(`no overlay ${id}`);
    if (patch.opacity !== undefined) checkOpacity(patch.opacity);
    this.#items.set(id, { ...item, ...patch });
    this.#emit();
  }

  remove(id: string): boolean {
    const removed = this.#items.delete(id);
    if (removed) this.#emit();
    return removed;
  }

  clear(): void {
    if (this.#items.size === 0) return;
    this.#items.clear();
    this.#emit();
  }

  /** Every overlay, or those of one image (slice id). */
  list(image?: string): readonly Overlay[] {
    const all = [...this.#items.values()];
    return image === undefined ? all : all.filter((o) => o.image === image);
  }

  on<E extends keyof OverlayEvents>(_event: E, listener: (payload: OverlayEvents[E]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #id(kind: string): string {
    return `${kind}-${this.#next++}`;
  }

  #common(
    id: string,
    input: { image: string; label?: string; color?: string; opacity?: number; provenance?: Provenance },
  ): Common {
    if (typeof input.image !== 'string' || input.image === '') throw new RangeError('an overlay needs its image id');
    return {
      id,
      image: input.image,
      label: input.label ?? '',
      color: input.color ?? PALETTE[(this.#next - 2) % PALETTE.length]!,
      opacity: checkOpacity(input.opacity ?? 1),
      visible: true,
      ...(input.provenance ? { provenance: input.provenance } : {}),
    };
  }

  #emit(): void {
    const overlays = this.list();
    for (const listener of this.#listeners) listener(overlays);
  }
}
