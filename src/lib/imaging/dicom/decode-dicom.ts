import type { DecodedImage, PixelArray } from '../types';
import { ImagingError } from '../imaging-error';
import { checkDimensions } from '../limits';
import { modalityRange } from '../sample-range';
import { readPart10 } from './read-part10';
import { readImageMeta } from './image-meta';
import { pixelFrames } from './pixel-frames';
import { toSamples } from './pixel-samples';
import { toInterleavedRgb } from './colour';
import { listTags } from './list-tags';
import { readSegmentationInfo, SEGMENTATION_STORAGE } from './segmentation-info';
import { TRANSFER_SYNTAXES } from './transfer-syntax';

export async function decodeDicom(bytes: Uint8Array, name: string): Promise<DecodedImage> {
  const ds = readPart10(bytes);
  const meta = readImageMeta(ds);
  const syntax = TRANSFER_SYNTAXES[meta.transferSyntax];
  if (!syntax) throw new ImagingError(`no decoder for transfer syntax ${meta.transferSyntax}`);
  if (meta.samplesPerPixel !== 1 && meta.samplesPerPixel !== 3) {
    throw new ImagingError(`Samples per Pixel ${meta.samplesPerPixel} is not supported (1 or 3)`);
  }
  if (![1, 8, 16, 32].includes(meta.bitsAllocated)) {
    throw new ImagingError(`Bits Allocated ${meta.bitsAllocated} is not supported (1, 8, 16 or 32)`);
  }
  if (meta.bitsAllocated === 1 && (meta.samplesPerPixel !== 1 || syntax.encoding.startsWith('native') === false)) {
    throw new ImagingError('Bits Allocated 1 is only defined for uncompressed greyscale pixel data');
  }
  // Colour deeper than 8 bits is RGB (RLE or native); the YBR equations here are 8-bit.
  if (meta.samplesPerPixel === 3 && meta.bitsAllocated !== 8 && meta.photometric !== 'RGB') {
    throw new ImagingError(
      `${meta.photometric} with Bits Allocated ${meta.bitsAllocated} is not supported (colour deeper than 8 bits must be RGB)`,
    );
  }
  checkDimensions(meta.columns, meta.rows, meta.frames, meta.bitsAllocated / 8, meta.samplesPerPixel);

  // Every frame's samples in one buffer: the page receives them in one transfer (frame-pack.ts).
  const frameBytes = meta.rows * meta.columns * meta.samplesPerPixel * Math.max(1, meta.bitsAllocated / 8);
  const all = new ArrayBuffer(frameBytes * meta.frames);
  const frames: PixelArray[] = [];
  const warnings: string[] = [];
  for await (const raw of pixelFrames(ds, meta, syntax.encoding, (text) => warnings.push(text))) {
    const samples = meta.samplesPerPixel === 3 ? toInterleavedRgb(raw, meta, syntax.encoding) : raw;
    const at = frames.length * frameBytes;
    frames.push(toSamples(samples, meta.bitsAllocated, meta.bitsStored, meta.signed, { buffer: all, at }));
  }

  const range = modalityRange(frames, (f) => meta.perFrame?.[f]?.rescale ?? meta);
  return {
    name,
    instanceUid: meta.instanceUid,
    reference: meta.reference,
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
    range,
    perFrame: meta.perFrame,
    pixelSpacing: meta.pixelSpacing,
    pixelSpacingSource: meta.pixelSpacingSource,
    modality: meta.modality,
    location: meta.location,
    transferSyntax: meta.transferSyntax,
    tags: listTags(ds),
    warnings,
    segmentation: meta.reference?.sopClassUid === SEGMENTATION_STORAGE ? readSegmentationInfo(ds) : undefined,
  };
}
