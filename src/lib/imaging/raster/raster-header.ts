import { jpegFrameHeader } from '../jpeg-frame-header';

export type RasterFormat = 'png' | 'jpeg';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function sniffRaster(bytes: Uint8Array): RasterFormat | undefined {
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return undefined;
}

/** Declared size, read before decoding so a huge image is refused without allocating it. */
export function rasterSize(bytes: Uint8Array, format: RasterFormat): { width: number; height: number } | undefined {
  if (format === 'png') {
    // IHDR is the first chunk: width and height are big-endian uint32 at bytes 16 and 20.
    if (bytes.length < 24) return undefined;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }
  const header = jpegFrameHeader(bytes);
  return header && { width: header.width, height: header.height };
}
