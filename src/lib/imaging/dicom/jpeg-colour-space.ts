const APP0 = 0xe0;
const APP14 = 0xee;
const APP15 = 0xef;
const SOS = 0xda;

/** Adobe APP14 segment (Adobe TN 5116): "Adobe", version 100, flags 0, 0, then the transform. */
function adobeSegment(transform: 0 | 1): number[] {
  return [0xff, APP14, 0x00, 0x0e, 0x41, 0x64, 0x6f, 0x62, 0x65, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, transform];
}

/**
 * A 3-component JPEG stream rewritten so that libjpeg's colour decision is the data set's.
 *
 * libjpeg guesses whether three components are YCbCr or RGB from the stream: a JFIF marker,
 * an Adobe marker's transform, or the component ids ('R','G','B' mean RGB, anything else
 * YCbCr), and converts YCbCr to RGB on its guess. DICOM says it in Photometric Interpretation
 * instead (PS3.5 8.2.1): RGB means the components were stored without a colour transform,
 * YBR_FULL_422 / YBR_FULL that they are YCbCr. DCMTK and pydicom follow the data set; so do we:
 * the stream's JFIF and Adobe segments are renamed APP15 (which decoders skip) and an Adobe
 * segment stating the data set's answer goes first (transform 0: RGB, 1: YCbCr). Other
 * Photometric Interpretations, and streams that are not 3-component, are returned unchanged.
 */
export function withDeclaredColourSpace(stream: Uint8Array, photometric: string): Uint8Array {
  const transform = photometric === 'RGB' ? 0 : photometric.startsWith('YBR_FULL') ? 1 : undefined;
  if (transform === undefined || stream[0] !== 0xff || stream[1] !== 0xd8) return stream;
  const adobe = adobeSegment(transform);
  const out = new Uint8Array(stream.length + adobe.length);
  out.set(stream.subarray(0, 2));
  out.set(adobe, 2);
  out.set(stream.subarray(2), 2 + adobe.length);
  // Marker segments between SOI and the first scan: rename the colour hints.
  let i = 2 + adobe.length;
  while (i + 3 < out.length && out[i] === 0xff) {
    const marker = out[i + 1]!;
    if (marker === SOS) break;
    if (marker === APP0 || marker === APP14) out[i + 1] = APP15;
    i += 2 + ((out[i + 2]! << 8) | out[i + 3]!);
  }
  return out;
}
