// The pdf.js-derived JPEG decoder that Cornerstone3D ships for 12-bit JPEG (Process 2 & 4),
// which the 8-bit libjpeg-turbo build cannot read. Aliased in vite.config.ts because the
// package does not export the file; pinned to an exact version for the correction below.
import JpegImage from 'cornerstone-jpeg12';

const MAX_12BIT = 4095;
/**
 * That decoder level-shifts 12-bit samples by 2056·4095/255 ≈ 33017 instead of 2048·16 + 8 =
 * 32776 (it scales the 8-bit constant 2056 by 4095/255 rather than 16). On its integer IDCT
 * output the result is the correct sample + 15 exactly, except where it clamps; measured
 * against DCMTK and pydicom/GDCM (test/imaging/decode-dicom.test.ts: within 1 after this).
 */
const LEVEL_SHIFT_EXCESS = 15;

export function decodeJpeg12(encoded: Uint8Array, width: number, height: number): Uint8Array {
  const jpeg = new JpegImage();
  jpeg.parse(encoded);
  // DICOM states the colour space in Photometric Interpretation; do not let the decoder guess.
  jpeg.colorTransform = false;
  const samples: Uint16Array = jpeg.getData16(width, height);
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i]!;
    samples[i] = v >= MAX_12BIT ? MAX_12BIT : v <= LEVEL_SHIFT_EXCESS ? 0 : v - LEVEL_SHIFT_EXCESS;
  }
  return new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
}
