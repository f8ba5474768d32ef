import { ImagingError } from '../../imaging-error';

/**
 * RLE Lossless (PS3.5 Annex G). A frame is up to 15 segments, one per byte plane of each
 * sample, most significant byte first; each segment is PackBits. Output is little-endian,
 * sample-interleaved (planar configuration 0), as the spec requires after decoding.
 */
export function decodeRle(
  encoded: Uint8Array,
  width: number,
  height: number,
  samples: number,
  bytesPerSample: number,
): Uint8Array {
  const view = new DataView(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  if (encoded.length < 64) throw new ImagingError('RLE frame is shorter than its 64-byte header');
  const segments = view.getUint32(0, true);
  if (segments !== samples * bytesPerSample) {
    throw new ImagingError(`RLE frame has ${segments} segments, expected ${samples * bytesPerSample}`);
  }
  const pixels = width * height;
  const out = new Uint8Array(pixels * samples * bytesPerSample);
  const stride = samples * bytesPerSample;
  for (let s = 0; s < segments; s++) {
    const start = view.getUint32(4 + 4 * s, true);
    const end = s + 1 < segments ? view.getUint32(8 + 4 * s, true) : encoded.length;
    const sample = Math.floor(s / bytesPerSample);
    const byteInSample = bytesPerSample - 1 - (s % bytesPerSample);
    let o = sample * bytesPerSample + byteInSample;
    let written = 0;
    let i = start;
    while (i < end && written < pixels) {
      const n = (encoded[i++]! << 24) >> 24;
      if (n >= 0) {
        for (let k = 0; k <= n && written < pixels; k++, written++, o += stride) out[o] = encoded[i++]!;
      } else if (n !== -128) {
        const value = encoded[i++]!;
        for (let k = 0; k <= -n && written < pixels; k++, written++, o += stride) out[o] = value;
      }
    }
    if (written < pixels) throw new ImagingError(`RLE segment ${s + 1} ends after ${written} of ${pixels} pixels`);
  }
  return out;
}
