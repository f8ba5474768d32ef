import { Decoder } from '@cornerstonejs/jpeg-lossless-decoder-js';
import { ImagingError } from '../../imaging-error';

/** JPEG Lossless, Process 14 (any predictor, SV1 included), 2 to 16 bits. */
export function decodeJpegLossless(encoded: Uint8Array, bytesPerSample: 1 | 2): Uint8Array {
  const decoder = new Decoder();
  const samples = decoder.decode(encoded.buffer as ArrayBuffer, encoded.byteOffset, encoded.length, bytesPerSample);
  // Reads past the end yield `undefined` (taken as 0) rather than an error, so a truncated
  // stream would decode to an image whose lower part is invented: refuse it.
  if ((decoder.stream?.index ?? 0) > encoded.length) {
    throw new ImagingError('the JPEG Lossless stream ends before the image does: it is truncated');
  }
  return new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
}
