import type { DataSet } from 'dicom-parser';
import type { DicomReference, FrameAttributes, SliceLocation, VoiFunction, WindowLevel } from '../types';
import { ImagingError } from '../imaging-error';
import { decimalValues } from './decimal-values';
import { readFunctionalGroups } from './functional-groups';

/** The Image Pixel module (PS3.3 C.7.6.3) and the few attributes around it that display needs. */
export interface ImageMeta {
  transferSyntax: string;
  rows: number;
  columns: number;
  frames: number;
  /** False when Number of Frames is absent (and `frames` is the default 1). */
  framesDeclared: boolean;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  signed: boolean;
  photometric: string;
  planar: boolean;
  slope: number;
  intercept: number;
  window?: WindowLevel;
  voiFunction: VoiFunction;
  pixelSpacing?: [number, number];
  pixelSpacingSource?: 'Pixel Spacing' | 'Imager Pixel Spacing';
  modality?: string;
  location?: SliceLocation;
  instanceUid?: string;
  reference?: DicomReference;
  perFrame?: FrameAttributes[];
}

function readReference(ds: DataSet): DicomReference | undefined {
  const text = (tag: string) => ds.string(tag) || undefined;
  const [sopClassUid, sopInstanceUid, studyInstanceUid, seriesInstanceUid] = [
    'x00080016',
    'x00080018',
    'x0020000d',
    'x0020000e',
  ].map(text);
  if (!sopClassUid || !sopInstanceUid || !studyInstanceUid || !seriesInstanceUid) return undefined;
  const thickness = ds.floatString('x00180050');
  return {
    sopClassUid,
    sopInstanceUid,
    studyInstanceUid,
    seriesInstanceUid,
    frameOfReferenceUid: text('x00200052'),
    patientName: text('x00100010'),
    patientId: text('x00100020'),
    patientBirthDate: text('x00100030'),
    patientSex: text('x00100040'),
    studyDate: text('x00080020'),
    studyTime: text('x00080030'),
    studyId: text('x00200010'),
    accessionNumber: text('x00080050'),
    referringPhysicianName: text('x00080090'),
    sliceThickness: thickness !== undefined && Number.isFinite(thickness) ? thickness : undefined,
  };
}

/**
 * Number of Frames (0028,0008, IS). Absent means one frame (it belongs to the Multi-frame
 * module, C.7.6.6); a value that is not a whole number ≥ 1 is refused, never read as 0 or NaN.
 */
function frameCount(ds: DataSet): number {
  const raw = ds.string('x00280008');
  if (raw === undefined || raw === '') return 1;
  if (!/^\+?\d+$/.test(raw)) throw new ImagingError(`Number of Frames (0028,0008) is "${raw}", not a whole number`);
  const frames = Number(raw);
  if (frames < 1) throw new ImagingError(`Number of Frames (0028,0008) is ${frames}: an image has at least one frame`);
  return frames;
}

export function readImageMeta(ds: DataSet): ImageMeta {
  const rows = ds.uint16('x00280010');
  const columns = ds.uint16('x00280011');
  const bitsAllocated = ds.uint16('x00280100');
  if (!ds.elements.x7fe00010) throw new ImagingError('no Pixel Data (7FE0,0010): not an image');
  if (rows === undefined || columns === undefined || bitsAllocated === undefined) {
    throw new ImagingError('Rows, Columns or Bits Allocated is missing');
  }
  const photometric = (ds.string('x00280004') ?? 'MONOCHROME2').toUpperCase();
  const samplesPerPixel = ds.uint16('x00280002') ?? (photometric.startsWith('MONO') ? 1 : 3);
  // Window Center/Width may hold several pairs (C.11.2.1.2); the first is the default view.
  const center = ds.floatString('x00281050');
  const width = ds.floatString('x00281051');
  const voi = ds.string('x00281056')?.toUpperCase();
  const frames = frameCount(ds);
  const groups = readFunctionalGroups(ds, frames);
  // Pixel Spacing is in the patient; Imager Pixel Spacing (projection radiography) is at the
  // detector, without the magnification correction: measurements say which they used.
  const patientSpacing = decimalValues(ds, 'x00280030', 2) ?? groups?.pixelSpacing;
  const imagerSpacing = decimalValues(ds, 'x00181164', 2);
  const spacing = patientSpacing ?? imagerSpacing;
  const position = decimalValues(ds, 'x00200032', 3);
  const orientation = decimalValues(ds, 'x00200037', 6) ?? groups?.orientation;
  const seriesUid = ds.string('x0020000e');
  const instanceNumber = ds.intString('x00200013');
  return {
    transferSyntax: ds.string('x00020010') ?? '1.2.840.10008.1.2',
    rows,
    columns,
    frames,
    framesDeclared: ds.elements.x00280008 !== undefined,
    samplesPerPixel,
    bitsAllocated,
    bitsStored: ds.uint16('x00280101') ?? bitsAllocated,
    signed: ds.uint16('x00280103') === 1,
    photometric,
    planar: ds.uint16('x00280006') === 1,
    slope: ds.floatString('x00281053') || 1,
    intercept: ds.floatString('x00281052') ?? 0,
    window: center !== undefined && width !== undefined && width > 0 ? { center, width } : undefined,
    voiFunction: voi === 'SIGMOID' || voi === 'LINEAR_EXACT' ? voi : 'LINEAR',
    pixelSpacing: spacing as [number, number] | undefined,
    pixelSpacingSource: patientSpacing ? 'Pixel Spacing' : imagerSpacing ? 'Imager Pixel Spacing' : undefined,
    modality: ds.string('x00080060') || undefined,
    instanceUid: ds.string('x00080018'),
    reference: readReference(ds),
    perFrame: groups?.perFrame,
    location: seriesUid
      ? {
          seriesUid,
          instanceNumber,
          position: position as [number, number, number] | undefined,
          orientation: orientation as SliceLocation['orientation'],
        }
      : undefined,
  };
}
