import type { DecodedImage } from './types';
import { decodeDicom } from './dicom/decode-dicom';
import { sniffRaster } from './raster/raster-header';

/** Decodes a PNG, a JPEG or a DICOM file, told apart by content, not by file name. */
export async function decodeFile(bytes: Uint8Array, name: string): Promise<DecodedImage> {
  const raster = sniffRaster(bytes);
  if (raster) {
    const { decodeRaster } = await import('./raster/decode-raster');
    return decodeRaster(bytes, name, raster);
  }
  return decodeDicom(bytes, name);
}
