import type { DataSet } from 'dicom-parser';
import type { FrameAttributes, WindowLevel } from '../types';
import { decimalValues } from './decimal-values';

// Functional group macros of enhanced multi-frame images (PS3.3 C.7.6.16): each sits either in
// the Shared Functional Groups Sequence (one item for all frames) or in the Per-frame one.
const SHARED = 'x52009229';
const PER_FRAME = 'x52009230';
const PIXEL_MEASURES = 'x00289110';
const PLANE_ORIENTATION = 'x00209116';
const PLANE_POSITION = 'x00209113';
const PIXEL_VALUE_TRANSFORMATION = 'x00289145';
const FRAME_VOI_LUT = 'x00289132';

export interface FunctionalGroups {
  perFrame: FrameAttributes[];
  pixelSpacing?: [number, number];
  orientation?: [number, number, number, number, number, number];
}

function firstItem(ds: DataSet | undefined, tag: string): DataSet | undefined {
  return ds?.elements[tag]?.items?.[0]?.dataSet;
}

/**
 * Per-frame rescale, window and position, and the spacing and orientation, from the
 * functional groups; undefined for an image that has none (the classic single-frame and
 * multi-frame IODs keep these at the top level).
 */
export function readFunctionalGroups(ds: DataSet, frames: number): FunctionalGroups | undefined {
  const shared = firstItem(ds, SHARED);
  const items = ds.elements[PER_FRAME]?.items ?? [];
  if (!shared && items.length === 0) return undefined;
  // A macro in a frame's item overrides the shared one.
  const macro = (frame: number, tag: string) => firstItem(items[frame]?.dataSet, tag) ?? firstItem(shared, tag);
  const perFrame: FrameAttributes[] = [];
  for (let f = 0; f < frames; f++) {
    const transform = macro(f, PIXEL_VALUE_TRANSFORMATION);
    const voi = macro(f, FRAME_VOI_LUT);
    const [center, width] = [voi?.floatString('x00281050'), voi?.floatString('x00281051')];
    const window: WindowLevel | undefined =
      center !== undefined && width !== undefined && width > 0 ? { center, width } : undefined;
    const position = decimalValues(macro(f, PLANE_POSITION), 'x00200032', 3) as FrameAttributes['position'];
    perFrame.push({
      rescale: transform
        ? { slope: transform.floatString('x00281053') || 1, intercept: transform.floatString('x00281052') ?? 0 }
        : undefined,
      window,
      position,
    });
  }
  return {
    perFrame,
    pixelSpacing: decimalValues(macro(0, PIXEL_MEASURES), 'x00280030', 2) as [number, number] | undefined,
    orientation: decimalValues(macro(0, PLANE_ORIENTATION), 'x00200037', 6) as FunctionalGroups['orientation'],
  };
}
