import type { DecodedImage, PixelArray } from '../types';
import { ImagingError } from '../imaging-error';
import { checkDimensions } from '../limits';
import { sampleRange } from '../sample-range';
import { readPart10 } from './read-part10';
import { readImageMeta } from './image-meta';
import { pixelFrames } from './pixel-frames';
import { toSamples } from './pixel-samples';
import { toInterleavedRgb } from './colour';
import { listTags } from './list-tags';
import { TRANSFER_SYNTAXES } from './transfer-syntax';

export async function decodeDicom(bytes: Uint8Array, name: string): Promise<DecodedImage> {
  const ds = readPart10(bytes);
  const meta = readImageMeta(ds);
  const syntax = TRANSFER_SYNTAXES[meta.transferSyntax];
  if (!syntax) throw new ImagingError(`no decoder for transfer syntax ${meta.transferSyntax}`);
  if (meta.samplesPerPixel !== 1 && meta.samplesPerPixel !== 3) {
    throw new ImagingError(`Samples per Pixel ${meta.samplesPerPixel} is not supported (1 or 3)`);
  }
  if (meta.bitsAllocated !== 8 && meta.bitsAllocated !== 16 && meta.bitsAllocated !== 32) {
    throw new ImagingError(`Bits Allocated ${meta.bitsAllocated} is not supported (8, 16 or 32)`);
  }
  if (meta.samplesPerPixel === 3 && meta.bitsAllocated !== 8) {
    throw new ImagingError(`colour images with Bits Allocated ${meta.bitsAllocated} are not supported (8 only)`);
  }
  checkDimensions(meta.columns, meta.rows, meta.frames, meta.bitsAllocated / 8, meta.samplesPerPixel);

  const frames: PixelArray[] = [];
  const warnings: string[] = [];
  for await (const raw of pixelFrames(ds, meta, syntax.encoding, (text) => warnings.push(text))) {
    const samples = meta.samplesPerPixel === 3 ? toInterleavedRgb(raw, meta, syntax.encoding) : raw;
    frames.push(toSamples(samples, meta.bitsAllocated, meta.bitsStored, meta.signed));
  }

  const stored = sampleRange(frames);
  const a = stored.min * meta.slope + meta.intercept;
  const b = stored.max * meta.slope + meta.intercept;
  return {
    name,
    instanceUid: meta.instanceUid,
    source: 'dicom',
    width: meta.columns,
    height: meta.rows,
    samplesPerPixel: meta.samplesPerPixel,
    frames,
    photometric: meta.photometric,
    invert: meta.photometric === 'MONOCHROME1',
    rescale: { slope: meta.slope, intercept: meta.intercept },
    window: meta.window,
    voiFunction: meta.voiFunction,
    range: { min: Math.min(a, b), max: Math.max(a, b) },
    pixelSpacing: meta.pixelSpacing,
    location: meta.location,
    transferSyntax: meta.transferSyntax,
    tags: listTags(ds),
    warnings,
  };
}
