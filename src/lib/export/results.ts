import type { Stack, Slice } from '../imaging/series';
import { sliceSpacing } from '../imaging/series';
import { encodeRle, maskBounds } from '../overlays/rle';
import type { MaskOverlay, Overlay, Provenance } from '../overlays/overlay-layer';
import { boxSize, lineLength, maskVolume, measureMask, type Quantity } from '../measure/measures';
import type { SegDocument, SegSegment } from './dicom-seg';

export interface ResultsOfStack {
  stack: Stack;
  /** Every overlay of the viewer; those of this stack's slices are exported. */
  overlays: readonly Overlay[];
  software: string;
}

const slicesWith = (stack: Stack, overlays: readonly Overlay[]) =>
  stack.slices.flatMap((slice) => overlays.filter((o) => o.image === slice.id).map((overlay) => ({ slice, overlay })));

/** The model results that make one segment: masks of one model and label across the stack. */
function segmentKey(mask: MaskOverlay): string {
  return `${mask.provenance?.model.id ?? 'manual'}\u0000${mask.label}`;
}

/**
 * The masks of a stack as a DICOM SEG document: one segment per model and label, one frame
 * per slice it was drawn on. The prompts (and, for masks from a VLM's box, the question and
 * answer) go to Algorithm Parameters as JSON, per source image.
 */
export function segDocument({ stack, overlays, software }: ResultsOfStack): SegDocument {
  const masks = slicesWith(stack, overlays).filter(
    (e): e is { slice: Slice; overlay: MaskOverlay } => e.overlay.kind === 'mask',
  );
  if (masks.length === 0) throw new Error('there is no mask on this series to export');
  const unreferenced = masks.find(({ slice }) => !slice.image.reference);
  if (unreferenced) {
    throw new Error(
      `${unreferenced.slice.image.name} is not a DICOM image with study, series and instance UIDs: export PNG or JSON instead`,
    );
  }
  const first = stack.slices[0]!.image;
  const groups = new Map<string, { slice: Slice; overlay: MaskOverlay }[]>();
  for (const entry of masks)
    groups.set(segmentKey(entry.overlay), [...(groups.get(segmentKey(entry.overlay)) ?? []), entry]);
  const segments: SegSegment[] = [...groups.values()].map((entries) => {
    const { overlay } = entries[0]!;
    const provenance: Provenance | undefined = overlay.provenance;
    return {
      label: overlay.label || 'mask',
      color: overlay.color,
      algorithmType: entries.every(({ overlay }) => overlay.provenance?.prompt) ? 'SEMIAUTOMATIC' : 'AUTOMATIC',
      algorithmName: provenance ? `${provenance.model.id} ${provenance.model.name}` : 'manual',
      algorithmVersion: provenance?.model.sha256 ?? 'sha256 unverified',
      algorithmParameters: JSON.stringify({
        medlens: 1,
        model: provenance?.model,
        frames: entries.map(({ slice, overlay }) => ({
          sopInstanceUid: slice.image.reference!.sopInstanceUid,
          frame: slice.frame + 1,
          prompt: overlay.provenance?.prompt,
          question: overlay.provenance?.question,
          answer: overlay.provenance?.answer,
          vlm: overlay.provenance?.vlm,
        })),
      }),
      frames: entries.map(({ slice, overlay }) => ({
        source: slice.image.reference!,
        sourceFrame: slice.image.frames.length > 1 ? slice.frame + 1 : undefined,
        position: slice.image.perFrame?.[slice.frame]?.position ?? slice.image.location?.position,
        mask: overlay.data,
      })),
    };
  });
  return {
    rows: first.height,
    columns: first.width,
    pixelSpacing: first.pixelSpacing,
    orientation: first.location?.orientation,
    segments,
    software,
  };
}

/** The label mask of one slice: 0 outside, n inside the n-th mask (later masks drawn over earlier). */
export function labelMask(slice: Slice, overlays: readonly Overlay[]): { data: Uint8Array; labels: string[] } {
  const { width, height } = slice.image;
  const data = new Uint8Array(width * height);
  const labels: string[] = [];
  for (const overlay of overlays) {
    if (overlay.image !== slice.id || overlay.kind !== 'mask') continue;
    labels.push(overlay.label);
    const value = labels.length;
    overlay.data.forEach((v, i) => {
      if (v) data[i] = value;
    });
  }
  return { data, labels };
}

// A mask's pixels never change (a new mask is a new overlay), so its area is computed once:
// the results list recomputes volumes on every overlay change, while a propagation adds masks.
const areas = new WeakMap<Uint8Array, Quantity>();

/**
 * Volumes of the masks of one model and label drawn on two or more slices of a stack: each
 * slice's area times the slice spacing from the positions.
 */
export function stackVolumes(stack: Stack, overlays: readonly Overlay[]) {
  const spacing = sliceSpacing(stack.slices);
  if (spacing === undefined) return [];
  const groups = new Map<string, { label: string; model?: string; areas: Quantity[] }>();
  for (const { slice, overlay } of slicesWith(stack, overlays)) {
    if (overlay.kind !== 'mask') continue;
    const key = segmentKey(overlay);
    const group = groups.get(key) ?? { label: overlay.label, model: overlay.provenance?.model.id, areas: [] };
    let area = areas.get(overlay.data);
    if (!area) areas.set(overlay.data, (area = measureMask(slice.image, slice.frame, overlay.data).area));
    group.areas.push(area);
    groups.set(key, group);
  }
  return [...groups.values()].flatMap(({ label, model, areas }) => {
    const volume = areas.length >= 2 ? maskVolume(areas, spacing) : undefined;
    return volume ? [{ label, model, slices: areas.length, volume }] : [];
  });
}

/**
 * Every result of a stack as JSON: COCO-style RLE masks and boxes per slice, with labels,
 * model (id and sha256), prompt, a VLM's question and answer, and measurements. Images are
 * named by slice id, SOP Instance UID and frame, never by file name (which may name a patient).
 */
export function resultsJson({ stack, overlays, software }: ResultsOfStack) {
  const entries = slicesWith(stack, overlays);
  const annotations = entries.map(({ slice, overlay }, index) => {
    const common = {
      id: index + 1,
      image: slice.id,
      sopInstanceUid: slice.image.reference?.sopInstanceUid,
      frame: slice.frame + 1,
      label: overlay.label,
      ...(overlay.provenance ?? {}),
    };
    if (overlay.kind === 'mask') {
      const measures = measureMask(slice.image, slice.frame, overlay.data);
      const bounds = maskBounds(overlay.data, overlay.width, overlay.height);
      return {
        ...common,
        kind: 'mask' as const,
        segmentation: encodeRle(overlay.data, overlay.width, overlay.height),
        bbox: bounds ? [bounds[0], bounds[1], bounds[2] - bounds[0], bounds[3] - bounds[1]] : null,
        measurements: measures,
      };
    }
    const ends = { x0: overlay.x0, y0: overlay.y0, x1: overlay.x1, y1: overlay.y1 };
    if (overlay.kind === 'line')
      return { ...common, kind: 'line' as const, ends, length: lineLength(slice.image, ends) };
    return {
      ...common,
      kind: 'box' as const,
      bbox: [ends.x0, ends.y0, ends.x1 - ends.x0, ends.y1 - ends.y0],
      size: boxSize(slice.image, ends),
    };
  });
  return {
    medlens: 1,
    software,
    images: stack.slices.map((s) => ({
      id: s.id,
      sopInstanceUid: s.image.reference?.sopInstanceUid,
      frame: s.frame + 1,
      width: s.image.width,
      height: s.image.height,
      pixelSpacing: s.image.pixelSpacing,
      pixelSpacingSource: s.image.pixelSpacingSource,
    })),
    sliceSpacingMm: sliceSpacing(stack.slices),
    volumes: stackVolumes(stack, overlays),
    annotations,
  };
}
