export interface JpegFrameHeader {
  precision: number;
  width: number;
  height: number;
  /** Components in the frame (Nf): 1 for greyscale, 3 for colour. */
  components: number;
  /** Progressive with successive approximation (Ah/Al ≠ 0 in a scan header), as in Process 10 & 12. */
  successiveApproximation: boolean;
}

const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
/** Markers without a length field: fill, TEM, RSTn, SOI, EOI, and 0x00 (stuffed FF in entropy data). */
const standalone = (m: number) => m === 0x00 || m === 0x01 || m === 0xff || (m >= 0xd0 && m <= 0xd9);

/**
 * Reads the frame size and what decoder choice depends on from the marker segments of a JPEG
 * bitstream (ITU T.81 B.2): used for DICOM JPEG frames and for JPEG files alike.
 */
export function jpegFrameHeader(bytes: Uint8Array): JpegFrameHeader | undefined {
  let frame: { precision: number; width: number; height: number; components: number } | undefined;
  let successiveApproximation = false;
  let i = 0;
  while (i + 3 < bytes.length) {
    if (bytes[i] !== 0xff) {
      i++;
      continue;
    }
    const marker = bytes[i + 1]!;
    if (standalone(marker)) {
      i += marker === 0xff ? 1 : 2;
      continue;
    }
    const length = (bytes[i + 2]! << 8) | bytes[i + 3]!;
    // SOF: P, Y (lines), X (samples per line), Nf, … (B.2.2).
    if (isSof(marker) && !frame && i + 9 < bytes.length) {
      frame = {
        precision: bytes[i + 4]!,
        height: (bytes[i + 5]! << 8) | bytes[i + 6]!,
        width: (bytes[i + 7]! << 8) | bytes[i + 8]!,
        components: bytes[i + 9]!,
      };
    }
    if (marker === 0xda) {
      // SOS: Ns, Ns × (Cs, Td/Ta), Ss, Se, Ah/Al (B.2.3).
      const ns = bytes[i + 4] ?? 0;
      if ((bytes[i + 5 + 2 * ns + 2] ?? 0) !== 0) successiveApproximation = true;
    }
    i += 2 + length;
  }
  return frame && { ...frame, successiveApproximation };
}
