import type { DataSet } from 'dicom-parser';
import { ImagingError } from '../imaging-error';
import type { ImageMeta } from './image-meta';
import { encapsulatedFrame, nativeFrames } from './frame-bytes';
import { jpegFrameHeader } from '../jpeg-frame-header';
import { swapBytes } from './pixel-samples';
import { decodeRle } from './codecs/rle';
import type { PixelEncoding } from './transfer-syntax';

function expectSize(got: { width: number; height: number }, meta: ImageMeta, codec: string): void {
  if (got.width !== meta.columns || got.height !== meta.rows) {
    throw new ImagingError(
      `${codec} stream is ${got.width}×${got.height} but the header says ${meta.columns}×${meta.rows}`,
    );
  }
}

/**
 * Yields each frame's samples as little-endian bytes, interleaved for colour. Codecs are
 * imported on first need so the app shell never downloads a codec it does not use.
 */
export async function* pixelFrames(ds: DataSet, meta: ImageMeta, encoding: PixelEncoding): AsyncGenerator<Uint8Array> {
  const bytesPerSample = meta.bitsAllocated / 8;
  if (encoding === 'native' || encoding === 'native-big-endian') {
    for (const frame of nativeFrames(ds, meta)) {
      yield encoding === 'native' || bytesPerSample === 1 ? frame : swapBytes(frame, bytesPerSample);
    }
    return;
  }
  for (let f = 0; f < meta.frames; f++) {
    const encoded = encapsulatedFrame(ds, meta, f);
    switch (encoding) {
      case 'rle':
        yield decodeRle(encoded, meta.columns, meta.rows, meta.samplesPerPixel, bytesPerSample);
        break;
      case 'jpeg': {
        const header = jpegFrameHeader(encoded);
        if (!header) throw new ImagingError('JPEG frame has no SOF marker');
        if (header.precision <= 8) {
          const { decodeJpeg8 } = await import('./codecs/libjpeg-turbo');
          const out = await decodeJpeg8(encoded);
          expectSize(out, meta, 'JPEG');
          yield out.bytes;
        } else if (header.successiveApproximation) {
          // The only maintained decoder for >8-bit lossy JPEG here (pdf.js-derived) gets
          // successive-approximation scans wrong (off by up to 150): refuse, never mislead.
          throw new ImagingError(
            `${header.precision}-bit JPEG with successive approximation (Process 10 & 12) is not supported`,
          );
        } else {
          const { decodeJpeg12 } = await import('./codecs/jpeg-12bit');
          yield decodeJpeg12(encoded, meta.columns, meta.rows);
        }
        break;
      }
      case 'jpeg-lossless': {
        const { decodeJpegLossless } = await import('./codecs/jpeg-lossless');
        yield decodeJpegLossless(encoded, bytesPerSample === 1 ? 1 : 2);
        break;
      }
      case 'jpeg-ls': {
        const { decodeJpegLs } = await import('./codecs/charls');
        const out = await decodeJpegLs(encoded);
        expectSize(out, meta, 'JPEG-LS');
        yield out.bytes;
        break;
      }
      case 'jpeg-2000': {
        const { decodeJpeg2000 } = await import('./codecs/openjpeg');
        const out = await decodeJpeg2000(encoded);
        expectSize(out, meta, 'JPEG 2000');
        yield out.bytes;
        break;
      }
    }
  }
}
