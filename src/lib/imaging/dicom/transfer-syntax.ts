/** Transfer syntaxes we decode (PS3.5 Annex A, PS3.6 Annex A), keyed by UID. */
export type PixelEncoding = 'native' | 'native-big-endian' | 'rle' | 'jpeg' | 'jpeg-lossless' | 'jpeg-ls' | 'jpeg-2000';

interface TransferSyntax {
  name: string;
  encoding: PixelEncoding;
}

export const TRANSFER_SYNTAXES: Record<string, TransferSyntax> = {
  '1.2.840.10008.1.2': { name: 'Implicit VR Little Endian', encoding: 'native' },
  '1.2.840.10008.1.2.1': { name: 'Explicit VR Little Endian', encoding: 'native' },
  '1.2.840.10008.1.2.1.99': { name: 'Deflated Explicit VR Little Endian', encoding: 'native' },
  '1.2.840.10008.1.2.2': { name: 'Explicit VR Big Endian', encoding: 'native-big-endian' },
  '1.2.840.10008.1.2.5': { name: 'RLE Lossless', encoding: 'rle' },
  '1.2.840.10008.1.2.4.50': { name: 'JPEG Baseline (Process 1)', encoding: 'jpeg' },
  '1.2.840.10008.1.2.4.51': { name: 'JPEG Extended (Process 2 & 4)', encoding: 'jpeg' },
  // Retired (PS3.6 Annex A) but still found in archives.
  '1.2.840.10008.1.2.4.53': { name: 'JPEG Spectral Selection (Process 6 & 8)', encoding: 'jpeg' },
  '1.2.840.10008.1.2.4.55': { name: 'JPEG Full Progression (Process 10 & 12)', encoding: 'jpeg' },
  '1.2.840.10008.1.2.4.57': { name: 'JPEG Lossless (Process 14)', encoding: 'jpeg-lossless' },
  '1.2.840.10008.1.2.4.70': { name: 'JPEG Lossless SV1 (Process 14)', encoding: 'jpeg-lossless' },
  '1.2.840.10008.1.2.4.80': { name: 'JPEG-LS Lossless', encoding: 'jpeg-ls' },
  '1.2.840.10008.1.2.4.81': { name: 'JPEG-LS Near-Lossless', encoding: 'jpeg-ls' },
  '1.2.840.10008.1.2.4.90': { name: 'JPEG 2000 Lossless', encoding: 'jpeg-2000' },
  '1.2.840.10008.1.2.4.91': { name: 'JPEG 2000', encoding: 'jpeg-2000' },
};

export const DEFLATED_TS = '1.2.840.10008.1.2.1.99';
export const IMPLICIT_LE_TS = '1.2.840.10008.1.2';
export const EXPLICIT_LE_TS = '1.2.840.10008.1.2.1';
