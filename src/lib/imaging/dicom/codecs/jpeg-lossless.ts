import { Decoder } from '@cornerstonejs/jpeg-lossless-decoder-js';

/** JPEG Lossless, Process 14 (any predictor, SV1 included), 2 to 16 bits. */
export function decodeJpegLossless(encoded: Uint8Array, bytesPerSample: 1 | 2): Uint8Array {
  const samples = new Decoder().decode(
    encoded.buffer as ArrayBuffer,
    encoded.byteOffset,
    encoded.length,
    bytesPerSample,
  );
  return new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
}
