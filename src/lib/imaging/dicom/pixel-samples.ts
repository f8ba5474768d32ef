import type { PixelArray } from '../types';
import { ImagingError } from '../imaging-error';

/**
 * Turns little-endian sample bytes into a typed array, applying PS3.5 8.1.1: only Bits Stored
 * bits carry the value; signed values are sign-extended from Bits Stored. The array is written
 * at `at` in `target` (one buffer for all frames of an image, sent to the page in one transfer),
 * or in a buffer of its own.
 */
export function toSamples(
  bytes: Uint8Array,
  bitsAllocated: number,
  bitsStored: number,
  signed: boolean,
  target?: { buffer: ArrayBuffer; at: number },
): PixelArray {
  // Bits Allocated 1 is already one byte per pixel here (frame-bytes.ts).
  const Ctor =
    bitsAllocated === 1 || bitsAllocated === 8
      ? signed && bitsAllocated === 8
        ? Int8Array
        : Uint8Array
      : bitsAllocated === 16
        ? signed
          ? Int16Array
          : Uint16Array
        : bitsAllocated === 32
          ? signed
            ? Int32Array
            : Uint32Array
          : undefined;
  if (!Ctor) throw new ImagingError(`Bits Allocated ${bitsAllocated} is not supported (1, 8, 16 or 32)`);
  const length = bytes.length / Ctor.BYTES_PER_ELEMENT;
  const out: PixelArray = target ? new Ctor(target.buffer, target.at, length) : new Ctor(length);
  new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(bytes.subarray(0, out.byteLength));
  if (bitsAllocated === 1) return out;
  if (bitsStored < bitsAllocated) {
    const shift = 32 - bitsStored;
    const mask = 2 ** bitsStored - 1;
    for (let i = 0; i < out.length; i++) {
      out[i] = signed ? (out[i]! << shift) >> shift : out[i]! & mask;
    }
  }
  return out;
}

/** Explicit VR Big Endian stores each sample most significant byte first (PS3.5 A.3). */
export function swapBytes(bytes: Uint8Array, bytesPerSample: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += bytesPerSample) {
    for (let b = 0; b < bytesPerSample; b++) out[i + b] = bytes[i + bytesPerSample - 1 - b]!;
  }
  return out;
}

/** Planar Configuration 1 (C.7.6.3.1.3): RRR…GGG…BBB → RGBRGB…, samples of `size` bytes. */
export function interleave(bytes: Uint8Array, pixels: number, size = 1): Uint8Array {
  const out = new Uint8Array(pixels * 3 * size);
  for (let i = 0; i < pixels; i++) {
    for (let c = 0; c < 3; c++) {
      for (let b = 0; b < size; b++) out[(3 * i + c) * size + b] = bytes[(c * pixels + i) * size + b]!;
    }
  }
  return out;
}

const clamp8 = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

/** YBR_FULL → RGB in place, with the equations of PS3.3 C.7.6.3.1.2. */
export function ybrFullToRgb(bytes: Uint8Array): Uint8Array {
  for (let i = 0; i < bytes.length; i += 3) {
    const y = bytes[i]!;
    const cb = bytes[i + 1]! - 128;
    const cr = bytes[i + 2]! - 128;
    bytes[i] = clamp8(y + 1.402 * cr);
    bytes[i + 1] = clamp8(y - 0.344136 * cb - 0.714136 * cr);
    bytes[i + 2] = clamp8(y + 1.772 * cb);
  }
  return bytes;
}

/** YBR_FULL_422 uncompressed: each pair of pixels is stored as Y1 Y2 Cb Cr (C.7.6.3.1.2). */
export function expandYbr422(bytes: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels * 3);
  for (let p = 0, i = 0; p + 1 < pixels + 1 && i + 3 < bytes.length; p += 2, i += 4) {
    const cb = bytes[i + 2]!;
    const cr = bytes[i + 3]!;
    out.set([bytes[i]!, cb, cr], 3 * p);
    if (p + 1 < pixels) out.set([bytes[i + 1]!, cb, cr], 3 * (p + 1));
  }
  return out;
}
