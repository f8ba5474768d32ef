import type { DataSet, Element } from 'dicom-parser';
import { ImagingError } from '../imaging-error';
import type { ImageMeta } from './image-meta';
import { encapsulatedFrame, nativeFrames } from './frame-bytes';
import { jpegFrameHeader } from '../jpeg-frame-header';
import { swapBytes } from './pixel-samples';
import { decodeRle } from './codecs/rle';
import { withDeclaredColourSpace } from './jpeg-colour-space';
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
export async function* pixelFrames(
  ds: DataSet,
  meta: ImageMeta,
  encoding: PixelEncoding,
  warn: (text: string) => void,
): AsyncGenerator<Uint8Array> {
  const bytesPerSample = meta.bitsAllocated / 8;
  if (encoding === 'native' || encoding === 'native-big-endian') {
    for (const frame of nativeFrames(ds, meta, warn)) {
      yield encoding === 'native' || bytesPerSample === 1 ? frame : swapBytes(frame, bytesPerSample);
    }
    return;
  }
  const offsets = (ds.elements.x7fe00010 as Element).basicOffsetTable?.length ?? 0;
  if (offsets > meta.frames) {
    warn(`the offset table lists ${offsets} frames but Number of Frames says ${meta.frames}; showing ${meta.frames}`);
  }
  for (let f = 0; f < meta.frames; f++) {
    try {
      yield await decodeFrame(encapsulatedFrame(ds, meta, f), meta, encoding);
    } catch (error) {
      if (!(error instanceof ImagingError) || meta.frames === 1) throw error;
      throw new ImagingError(`frame ${f + 1} of ${meta.frames}: ${error.message}`);
    }
  }
}

function endsWithEoi(stream: Uint8Array): boolean {
  const n = stream.length;
  const at = (i: number) => stream[i] === 0xff && stream[i + 1] === 0xd9;
  return at(n - 2) || (stream[n - 1] === 0 && at(n - 3));
}

/** One encapsulated frame through its codec: exactly one frame's samples, or an ImagingError. */
async function decodeFrame(encoded: Uint8Array, meta: ImageMeta, encoding: PixelEncoding): Promise<Uint8Array> {
  const bytesPerSample = meta.bitsAllocated / 8;
  const frameBytes = meta.rows * meta.columns * meta.samplesPerPixel * bytesPerSample;
  // The pure-JavaScript decoders throw plain Errors (or strings) on broken streams.
  const guarded = (codec: string, run: () => Uint8Array): Uint8Array => {
    let out: Uint8Array;
    try {
      out = run();
    } catch (thrown) {
      if (thrown instanceof ImagingError) throw thrown;
      const reason = thrown instanceof Error ? thrown.message : String(thrown);
      throw new ImagingError(`${codec} could not decode the frame: the stream is corrupt (${reason})`);
    }
    if (out.length !== frameBytes) {
      throw new ImagingError(`${codec} returned ${out.length} bytes where the header needs ${frameBytes}`);
    }
    return out;
  };
  switch (encoding) {
    case 'rle':
      return decodeRle(encoded, meta.columns, meta.rows, meta.samplesPerPixel, bytesPerSample);
    case 'jpeg': {
      const header = jpegFrameHeader(encoded);
      if (!header) throw new ImagingError('JPEG frame has no SOF marker');
      if (header.precision <= 8) {
        const { decodeJpeg8 } = await import('./codecs/libjpeg-turbo');
        const stream = header.components === 3 ? withDeclaredColourSpace(encoded, meta.photometric) : encoded;
        const out = await decodeJpeg8(stream);
        expectSize(out, meta, 'JPEG');
        return out.bytes;
      }
      if (header.successiveApproximation) {
        // The only maintained decoder for >8-bit lossy JPEG here (pdf.js-derived) gets
        // successive-approximation scans wrong (off by up to 150): refuse, never mislead.
        throw new ImagingError(
          `${header.precision}-bit JPEG with successive approximation (Process 10 & 12) is not supported`,
        );
      }
      const { decodeJpeg12 } = await import('./codecs/jpeg-12bit');
      return guarded('12-bit JPEG decoder', () => decodeJpeg12(encoded, meta.columns, meta.rows));
    }
    case 'jpeg-lossless': {
      const { decodeJpegLossless } = await import('./codecs/jpeg-lossless');
      return guarded('JPEG Lossless decoder', () => decodeJpegLossless(encoded, bytesPerSample === 1 ? 1 : 2));
    }
    case 'jpeg-ls': {
      // CharLS can spend seconds on a truncated stream before it gives up: a stream without
      // its EOI marker (FFD9, then at most one pad byte, PS3.5 A.4) is refused first.
      if (!endsWithEoi(encoded)) throw new ImagingError('the JPEG-LS stream has no end marker: it is truncated');
      const { decodeJpegLs } = await import('./codecs/charls');
      const out = await decodeJpegLs(encoded);
      expectSize(out, meta, 'JPEG-LS');
      return out.bytes;
    }
    case 'jpeg-2000': {
      const { decodeJpeg2000 } = await import('./codecs/openjpeg');
      const out = await decodeJpeg2000(encoded);
      expectSize(out, meta, 'JPEG 2000');
      return out.bytes;
    }
    default:
      throw new ImagingError(`${encoding} pixel data is not encapsulated`);
  }
}
