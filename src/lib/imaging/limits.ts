import { ImagingError } from './imaging-error';

/**
 * Bounds that keep a hostile or broken file from exhausting memory: checked against the
 * declared size before anything is allocated or decoded.
 */
export const MAX_DECODED_BYTES = 1024 * 1024 * 1024;
export const MAX_DIMENSION = 32768;

export function checkDimensions(
  width: number,
  height: number,
  frames: number,
  bytesPerSample: number,
  samples: number,
): void {
  if (!(width > 0 && height > 0)) {
    throw new ImagingError(`image size ${width}×${height} is empty`);
  }
  if (width > MAX_DIMENSION || height > MAX_DIMENSION) {
    throw new ImagingError(`image size ${width}×${height} exceeds the ${MAX_DIMENSION}-pixel limit per side`);
  }
  const bytes = width * height * frames * bytesPerSample * samples;
  if (bytes > MAX_DECODED_BYTES) {
    const mib = Math.round(bytes / 2 ** 20);
    throw new ImagingError(`decoded size ${mib} MiB exceeds the ${MAX_DECODED_BYTES / 2 ** 20} MiB limit`);
  }
}
