import type { DecodedImage, PixelArray } from './types';

const TYPES = { Uint8Array, Int8Array, Uint16Array, Int16Array, Uint32Array, Int32Array, Float32Array } as const;
type TypeName = keyof typeof TYPES;

/** A decoded image whose frames travel as one buffer (one transfer, however many frames). */
export type PackedImage = Omit<DecodedImage, 'frames'> & {
  frames: { buffer: ArrayBuffer; type: TypeName; count: number; length: number };
};

/**
 * Puts every frame in one buffer: a transfer list's cost grows with its length, so thousands
 * of frames sent one buffer each stalled the page. Frames that already lie back to back in one
 * buffer (as decodeDicom writes them) are sent as they are, without a copy.
 */
export function packImage(image: DecodedImage): PackedImage {
  const { frames, ...rest } = image;
  const first = frames[0]!;
  const type = first.constructor.name as TypeName;
  const length = first.length;
  let buffer: ArrayBuffer;
  const frameBytes = first.byteLength;
  const contiguous =
    first.buffer.byteLength === frameBytes * frames.length &&
    frames.every((f, i) => f.buffer === first.buffer && f.byteOffset === i * frameBytes);
  if (contiguous) {
    buffer = first.buffer as ArrayBuffer;
  } else {
    const all = new TYPES[type](length * frames.length);
    frames.forEach((frame, f) => all.set(frame as never, f * length));
    buffer = all.buffer as ArrayBuffer;
  }
  return { ...rest, frames: { buffer, type, count: frames.length, length } };
}

/** The frames again, as views into the one buffer. */
export function unpackImage(packed: PackedImage): DecodedImage {
  const { buffer, type, count, length } = packed.frames;
  const frames: PixelArray[] = [];
  for (let f = 0; f < count; f++)
    frames.push(new TYPES[type](buffer, f * length * TYPES[type].BYTES_PER_ELEMENT, length));
  return { ...packed, frames };
}
