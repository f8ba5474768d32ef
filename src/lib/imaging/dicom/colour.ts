import type { ImageMeta } from './image-meta';
import { expandYbr422, interleave, ybrFullToRgb } from './pixel-samples';
import type { PixelEncoding } from './transfer-syntax';

/**
 * Native and RLE frames keep the file's Photometric Interpretation (and, for native data,
 * its Planar Configuration); the JPEG-family codecs already hand back interleaved RGB, having
 * converted YCbCr exactly when Photometric Interpretation says so (jpeg-colour-space.ts).
 * Returns a new RGB-interleaved array either way.
 */
export function toInterleavedRgb(raw: Uint8Array, meta: ImageMeta, encoding: PixelEncoding): Uint8Array {
  if (encoding !== 'native' && encoding !== 'native-big-endian' && encoding !== 'rle') return raw;
  const pixels = meta.rows * meta.columns;
  if (meta.photometric === 'YBR_FULL_422') return ybrFullToRgb(expandYbr422(raw, pixels));
  // The RLE decoder writes interleaved samples whatever the Planar Configuration.
  const rgb = meta.planar && encoding !== 'rle' ? interleave(raw, pixels, meta.bitsAllocated / 8) : raw.slice();
  return meta.photometric === 'YBR_FULL' ? ybrFullToRgb(rgb) : rgb;
}
