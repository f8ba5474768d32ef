import { ImagingError } from './imaging-error';

/**
 * Bounds that keep a hostile or broken file from exhausting memory or time: checked against
 * the declared size before anything is allocated or decoded. Chosen so the largest real images
 * still open: a 14-bit 4300×3500 mammogram (15 Mpixel), a 3000-frame ultrasound cine, a
 * 2000-frame multi-frame CT; whole-slide microscopy is out of scope.
 */
export const MAX_DECODED_BYTES = 1024 * 1024 * 1024;
export const MAX_DIMENSION = 32768;
/** Pixels in one frame: 64 Mpixel (8192 × 8192). A 16384² frame would need 2 GB to show. */
export const MAX_FRAME_PIXELS = 64 * 2 ** 20;
/** Frames in one file: each becomes an array and a slice; millions of 1×1 frames stall the page. */
export const MAX_FRAMES = 20_000;

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
  if (width * height > MAX_FRAME_PIXELS) {
    throw new ImagingError(
      `image size ${width}×${height} exceeds the ${MAX_FRAME_PIXELS / 2 ** 20} Mpixel limit per frame`,
    );
  }
  if (frames > MAX_FRAMES) {
    throw new ImagingError(`${frames} frames exceed the limit of ${MAX_FRAMES} frames per file`);
  }
  const bytes = width * height * frames * bytesPerSample * samples;
  if (bytes > MAX_DECODED_BYTES) {
    const mib = Math.round(bytes / 2 ** 20);
    throw new ImagingError(`decoded size ${mib} MiB exceeds the ${MAX_DECODED_BYTES / 2 ** 20} MiB limit`);
  }
}
