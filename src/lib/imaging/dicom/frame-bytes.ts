import * as dicomParser from 'dicom-parser';
import type { DataSet, Element } from 'dicom-parser';
import { ImagingError } from '../imaging-error';
import type { ImageMeta } from './image-meta';

/** Bytes of one frame; with Bits Allocated 1 frames share bytes, so see nativeBitFrames. */
export function nativeFrameSize(meta: ImageMeta): number {
  // Uncompressed YBR_FULL_422 holds Y1 Y2 Cb Cr for each pair of pixels (C.7.6.3.1.2).
  if (meta.photometric === 'YBR_FULL_422') return meta.rows * meta.columns * 2;
  return (meta.rows * meta.columns * meta.samplesPerPixel * meta.bitsAllocated) / 8;
}

/**
 * The bytes of every frame of uncompressed Pixel Data, checked against the declared size.
 * Data for more frames than Number of Frames says is not dropped silently: `warn` hears of it.
 */
export function nativeFrames(ds: DataSet, meta: ImageMeta, warn: (text: string) => void): Uint8Array[] {
  if (meta.bitsAllocated === 1) return nativeBitFrames(ds, meta);
  const element = ds.elements.x7fe00010 as Element;
  const size = nativeFrameSize(meta);
  const needed = size * meta.frames;
  const available = Math.min(element.length, ds.byteArray.length - element.dataOffset);
  if (available < needed) {
    const ends = element.dataOffset + element.length > ds.byteArray.length;
    throw new ImagingError(
      `pixel data holds ${available} bytes but ${meta.frames} frame(s) of ${meta.columns}×${meta.rows} at ` +
        `${meta.bitsAllocated} bits need ${needed}: ` +
        (ends ? 'the file is truncated' : 'Rows, Columns, Bits Allocated or Number of Frames is wrong'),
    );
  }
  const held = Math.floor(available / size);
  if (held > meta.frames) {
    warn(
      meta.framesDeclared
        ? `the pixel data holds ${held} frames but Number of Frames says ${meta.frames}; showing ${meta.frames}`
        : `Number of Frames is missing but the pixel data holds ${held} frames; showing the first only`,
    );
  }
  const frames: Uint8Array[] = [];
  for (let f = 0; f < meta.frames; f++) {
    frames.push(new Uint8Array(ds.byteArray.buffer, ds.byteArray.byteOffset + element.dataOffset + f * size, size));
  }
  return frames;
}

/**
 * Bits Allocated 1 (PS3.5 8.1.1, as in DICOM SEG): pixels are packed eight to a byte, the first
 * in the least significant bit, and frames follow each other bit by bit, so a frame may start
 * inside a byte. Each frame comes back as one byte per pixel, 0 or 1.
 */
function nativeBitFrames(ds: DataSet, meta: ImageMeta): Uint8Array[] {
  const element = ds.elements.x7fe00010 as Element;
  const pixels = meta.rows * meta.columns;
  const needed = Math.ceil((pixels * meta.frames) / 8);
  const available = Math.min(element.length, ds.byteArray.length - element.dataOffset);
  if (available < needed) {
    throw new ImagingError(
      `pixel data holds ${available} bytes but ${meta.frames} frame(s) of ${meta.columns}×${meta.rows} at 1 bit need ${needed}`,
    );
  }
  const packed = ds.byteArray.subarray(element.dataOffset, element.dataOffset + needed);
  const frames: Uint8Array[] = [];
  for (let f = 0; f < meta.frames; f++) {
    const frame = new Uint8Array(pixels);
    for (let i = 0, bit = f * pixels; i < pixels; i++, bit++) frame[i] = (packed[bit >> 3]! >> (bit & 7)) & 1;
    frames.push(frame);
  }
  return frames;
}

/**
 * The compressed bitstream of one frame of encapsulated Pixel Data (PS3.5 A.4). Without a
 * Basic Offset Table, one fragment per frame is the common layout; otherwise JPEG frames
 * can be found by their markers.
 */
export function encapsulatedFrame(ds: DataSet, meta: ImageMeta, frame: number): Uint8Array {
  const element = ds.elements.x7fe00010 as Element;
  const fragments = element.fragments ?? [];
  if (fragments.length === 0) throw new ImagingError('encapsulated pixel data has no fragments');
  try {
    if (element.basicOffsetTable && element.basicOffsetTable.length > 0) {
      return dicomParser.readEncapsulatedImageFrame(ds, element, frame) as Uint8Array;
    }
    if (meta.frames === 1) {
      return dicomParser.readEncapsulatedPixelDataFromFragments(ds, element, 0, fragments.length) as Uint8Array;
    }
    if (fragments.length === meta.frames) {
      return dicomParser.readEncapsulatedPixelDataFromFragments(ds, element, frame, 1) as Uint8Array;
    }
    const offsets = dicomParser.createJPEGBasicOffsetTable(ds, element);
    return dicomParser.readEncapsulatedImageFrame(ds, element, frame, offsets) as Uint8Array;
  } catch (thrown) {
    throw new ImagingError(`cannot read frame ${frame + 1} of encapsulated pixel data: ${String(thrown)}`);
  }
}
