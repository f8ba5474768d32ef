/**
 * Uncompressed RLE of a binary mask in COCO's convention (pycocotools mask.py): runs counted
 * in column-major order, starting with a run of zeros (possibly empty).
 */
export interface Rle {
  size: [height: number, width: number];
  counts: number[];
}

export function encodeRle(mask: ArrayLike<number>, width: number, height: number): Rle {
  const counts: number[] = [];
  let current = 0;
  let run = 0;
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      const v = mask[y * width + x] ? 1 : 0;
      if (v !== current) {
        counts.push(run);
        run = 0;
        current = v;
      }
      run++;
    }
  }
  counts.push(run);
  return { size: [height, width], counts };
}

export function decodeRle(rle: Rle): Uint8Array {
  const [height, width] = rle.size;
  const mask = new Uint8Array(width * height);
  let i = 0;
  let value = 0;
  for (const count of rle.counts) {
    for (let k = 0; k < count; k++, i++) {
      if (value) mask[(i % height) * width + Math.floor(i / height)] = 1;
    }
    value ^= 1;
  }
  return mask;
}

/** Tight bounding box [x0, y0, x1, y1) of the nonzero pixels, or undefined when empty. */
export function maskBounds(
  mask: ArrayLike<number>,
  width: number,
  height: number,
): [number, number, number, number] | undefined {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!mask[y * width + x]) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return x1 < 0 ? undefined : [x0, y0, x1 + 1, y1 + 1];
}
