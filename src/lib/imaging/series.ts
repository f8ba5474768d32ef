import type { DecodedImage, OpenImage } from './types';

export interface Slice {
  image: OpenImage;
  frame: number;
  /** The key every result of this frame is stored under: image id and frame, unique. */
  id: string;
}

export const sliceId = (image: OpenImage, frame: number): string => `${image.id}:${frame}`;

export interface Stack {
  id: string;
  label: string;
  slices: Slice[];
}

function normal(o: [number, number, number, number, number, number]): [number, number, number] {
  // Row × column direction cosines (PS3.3 C.7.6.2.1.1).
  return [o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]];
}

/** Distance of a slice (or of one frame) along the normal, if position and orientation are known. */
function along(image: DecodedImage, frame?: number): number | undefined {
  const orientation = image.location?.orientation;
  const position = frame === undefined ? image.location?.position : image.perFrame?.[frame]?.position;
  if (!position || !orientation) return undefined;
  const n = normal(orientation);
  return position[0] * n[0] + position[1] * n[1] + position[2] * n[2];
}

/**
 * Frames of a multi-frame image in anatomical order: along the normal where every frame has a
 * Plane Position (enhanced images may store them in any order), else as stored.
 */
function frameOrder(image: DecodedImage): number[] {
  const frames = image.frames.map((_, f) => f);
  const distances = frames.map((f) => along(image, f));
  if (distances.some((d) => d === undefined)) return frames;
  return frames.sort((a, b) => distances[a]! - distances[b]! || a - b);
}

function compareSlices(a: DecodedImage, b: DecodedImage): number {
  const da = along(a);
  const db = along(b);
  if (da !== undefined && db !== undefined && da !== db) return da - db;
  const ia = a.location?.instanceNumber;
  const ib = b.location?.instanceNumber;
  if (ia !== undefined && ib !== undefined && ia !== ib) return ia - ib;
  return a.name.localeCompare(b.name, undefined, { numeric: true });
}

/**
 * The distance between adjacent slices of a stack in mm, from their positions along the normal
 * (the median gap, so one missing slice does not change it); never Slice Thickness, which may
 * differ from the spacing (overlapping or gapped reconstructions). Undefined without positions.
 */
export function sliceSpacing(slices: Slice[]): number | undefined {
  const along_ = slices.map(({ image, frame }) => along(image, image.perFrame ? frame : undefined));
  if (along_.length < 2 || along_.some((d) => d === undefined)) return undefined;
  const gaps = (along_ as number[])
    .slice(1)
    .map((d, i) => Math.abs(d - (along_ as number[])[i]!))
    .sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)];
}

/**
 * Groups images into stacks: single-frame DICOM files of one series (same Series Instance UID
 * and size) become one stack ordered along the slice normal, then by Instance Number; a
 * multi-frame file or a PNG/JPEG is a stack of its own.
 */
export function buildStacks(images: OpenImage[]): Stack[] {
  const stacks: Stack[] = [];
  const series = new Map<string, OpenImage[]>();
  for (const image of images) {
    const uid = image.location?.seriesUid;
    if (uid && image.frames.length === 1) {
      const key = `${uid}|${image.width}x${image.height}`;
      series.set(key, [...(series.get(key) ?? []), image]);
    } else {
      stacks.push({
        id: image.id,
        label: image.name,
        slices: frameOrder(image).map((frame) => ({ image, frame, id: sliceId(image, frame) })),
      });
    }
  }
  for (const [key, members] of series) {
    members.sort(compareSlices);
    const label = members.length === 1 ? members[0]!.name : `${members[0]!.name} … (${members.length} slices)`;
    stacks.push({ id: key, label, slices: members.map((image) => ({ image, frame: 0, id: sliceId(image, 0) })) });
  }
  return stacks;
}
