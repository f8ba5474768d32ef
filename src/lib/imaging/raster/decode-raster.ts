import type { DecodedImage } from '../types';
import { ImagingError } from '../imaging-error';
import { checkDimensions } from '../limits';
import { sampleRange } from '../sample-range';
import { rasterSize, type RasterFormat } from './raster-header';

/**
 * PNG and JPEG through the browser's own decoders (createImageBitmap + OffscreenCanvas, both
 * available in workers). Images whose three channels are equal everywhere become greyscale,
 * so a chest X-ray PNG windows like a DICOM one. Alpha is ignored.
 */
export async function decodeRaster(bytes: Uint8Array, name: string, format: RasterFormat): Promise<DecodedImage> {
  const size = rasterSize(bytes, format);
  if (!size) throw new ImagingError(`${format.toUpperCase()} header is unreadable`);
  checkDimensions(size.width, size.height, 1, 1, 4);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: `image/${format}` }));
  } catch {
    throw new ImagingError(`${format.toUpperCase()} data cannot be decoded (corrupt or truncated)`);
  }
  const { width, height } = bitmap;
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  const rgba = context.getImageData(0, 0, width, height).data;
  const pixels = width * height;
  let grey = true;
  for (let i = 0; i < rgba.length && grey; i += 4) grey = rgba[i] === rgba[i + 1] && rgba[i] === rgba[i + 2];
  const samples = new Uint8Array(grey ? pixels : pixels * 3);
  for (let p = 0; p < pixels; p++) {
    if (grey) samples[p] = rgba[4 * p]!;
    else samples.set(rgba.subarray(4 * p, 4 * p + 3), 3 * p);
  }
  const frames = [samples];
  return {
    name,
    source: 'raster',
    width,
    height,
    samplesPerPixel: grey ? 1 : 3,
    frames,
    photometric: grey ? 'MONOCHROME2' : 'RGB',
    invert: false,
    rescale: { slope: 1, intercept: 0 },
    voiFunction: 'LINEAR',
    range: grey ? sampleRange(frames) : { min: 0, max: 255 },
    tags: [],
  };
}
