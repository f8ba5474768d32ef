import dcmjs from 'dcmjs';
import type { DicomReference } from '../imaging/types';
import { hexToDicomLab } from './cielab';
import { dicomDateTime, newUid } from './dicom-uid';

const SEGMENTATION_STORAGE = '1.2.840.10008.5.1.4.1.1.66.4';
const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
const code = (value: string, scheme: string, meaning: string) => ({
  CodeValue: value,
  CodingSchemeDesignator: scheme,
  CodeMeaning: meaning,
});
// A generic property for masks whose anatomy no one stated (CID 7150 / 7151, as 3D Slicer does).
const TISSUE = code('85756007', 'SCT', 'Tissue');
// PS3.16 CID 7202 "Source image for image processing operation"; CID 7203 "Segmentation".
const SOURCE_IMAGE_PURPOSE = code('121322', 'DCM', 'Source image for image processing operation');
const SEGMENTATION_DERIVATION = code('113076', 'DCM', 'Segmentation');

/** One frame of a segment: the source slice it was drawn on, and its mask (nonzero = inside). */
export interface SegFrame {
  source: DicomReference;
  /** 1-based frame number, when the source is a multi-frame image. */
  sourceFrame?: number;
  /** Image Position (Patient) of the source slice, when known. */
  position?: [number, number, number];
  mask: Uint8Array;
}

export interface SegSegment {
  label: string;
  color: string;
  /** SEMIAUTOMATIC for a prompted mask, AUTOMATIC where no person prompted it (C.8.20.2). */
  algorithmType: 'AUTOMATIC' | 'SEMIAUTOMATIC';
  /** Segment Algorithm Name (LO): the model's id and name. */
  algorithmName: string;
  /** Algorithm Version (LO, 64 characters at most): the model's sha256. */
  algorithmVersion: string;
  /** Algorithm Parameters (LT): the prompt and, for VLM-boxed masks, question and answer, as JSON. */
  algorithmParameters: string;
  frames: SegFrame[];
}

export interface SegDocument {
  rows: number;
  columns: number;
  /** Row spacing, column spacing in mm. */
  pixelSpacing?: [number, number];
  orientation?: [number, number, number, number, number, number];
  segments: SegSegment[];
  /** Software Versions (0018,1020) of the writer. */
  software: string;
  now?: Date;
}

/** Bits Allocated 1: pixels packed eight to a byte, first pixel in the low bit, frames back to back (PS3.5 8.1.1). */
function packFrames(masks: Uint8Array[], pixels: number): Uint8Array {
  const bits = masks.length * pixels;
  const out = new Uint8Array(Math.ceil(bits / 8) + (Math.ceil(bits / 8) % 2)); // even length
  masks.forEach((mask, f) => {
    for (let i = 0; i < pixels; i++) {
      if (!mask[i]) continue;
      const bit = f * pixels + i;
      out[bit >> 3]! |= 1 << (bit & 7);
    }
  });
  return out;
}

/**
 * A binary DICOM Segmentation (PS3.3 A.51) of masks drawn on the slices of one series: one
 * segment per mask label, one frame per slice, each frame referencing its source image. Patient
 * and study attributes are copied from the source (empty where the source has none); every UID
 * of the new object is made on the device. dcmjs encodes the data set.
 */
export function writeDicomSeg(doc: SegDocument): Uint8Array {
  const first = doc.segments[0]?.frames[0]?.source;
  if (!first) throw new Error('a segmentation needs at least one segment with one frame');
  const pixels = doc.rows * doc.columns;
  const { date, time } = dicomDateTime(doc.now ?? new Date());
  const sopInstanceUid = newUid();
  const dimensionOrganizationUid = newUid();
  const withGeometry = first.frameOfReferenceUid !== undefined;

  const frames = doc.segments.flatMap((segment, s) => segment.frames.map((frame) => ({ frame, segment: s + 1 })));
  for (const { frame } of frames) {
    if (frame.mask.length !== pixels) {
      throw new Error(`a mask has ${frame.mask.length} pixels; the segmentation is ${doc.columns}×${doc.rows}`);
    }
  }
  const sources = new Map<string, DicomReference>();
  for (const { frame } of frames) sources.set(frame.source.sopInstanceUid, frame.source);
  // Position index: the order of the distinct source slices as given (along the stack).
  const slices = [...sources.keys()];

  const perFrame = frames.map(({ frame, segment }) => ({
    DerivationImageSequence: [
      {
        SourceImageSequence: [
          {
            ReferencedSOPClassUID: frame.source.sopClassUid,
            ReferencedSOPInstanceUID: frame.source.sopInstanceUid,
            ...(frame.sourceFrame ? { ReferencedFrameNumber: frame.sourceFrame } : {}),
            PurposeOfReferenceCodeSequence: [SOURCE_IMAGE_PURPOSE],
          },
        ],
        DerivationCodeSequence: [SEGMENTATION_DERIVATION],
      },
    ],
    FrameContentSequence: [
      { DimensionIndexValues: withGeometry ? [segment, slices.indexOf(frame.source.sopInstanceUid) + 1] : [segment] },
    ],
    ...(withGeometry && frame.position ? { PlanePositionSequence: [{ ImagePositionPatient: frame.position }] } : {}),
    SegmentIdentificationSequence: [{ ReferencedSegmentNumber: segment }],
  }));

  const dataset: Record<string, unknown> = {
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: SEGMENTATION_STORAGE,
    SOPInstanceUID: sopInstanceUid,
    // Patient and General Study: copied, never invented (type 2: empty when the source has none).
    PatientName: first.patientName ?? '',
    PatientID: first.patientId ?? '',
    PatientBirthDate: first.patientBirthDate ?? '',
    PatientSex: first.patientSex ?? '',
    StudyInstanceUID: first.studyInstanceUid,
    StudyDate: first.studyDate ?? '',
    StudyTime: first.studyTime ?? '',
    StudyID: first.studyId ?? '',
    AccessionNumber: first.accessionNumber ?? '',
    ReferringPhysicianName: first.referringPhysicianName ?? '',
    // General Series / Segmentation Series.
    Modality: 'SEG',
    SeriesInstanceUID: newUid(),
    SeriesNumber: 1,
    SeriesDescription: 'medlens segmentation',
    // General and Enhanced General Equipment.
    Manufacturer: 'medlens',
    ManufacturerModelName: 'medlens',
    DeviceSerialNumber: 'none',
    SoftwareVersions: doc.software,
    // Segmentation Image, with the Content Identification macro.
    InstanceNumber: 1,
    ContentLabel: 'MEDLENS',
    ContentDescription: 'Masks made in medlens by the models named in each segment',
    ContentCreatorName: '',
    ContentDate: date,
    ContentTime: time,
    ImageType: ['DERIVED', 'PRIMARY'],
    SegmentationType: 'BINARY',
    LossyImageCompression: '00',
    SegmentSequence: doc.segments.map((segment, s) => ({
      SegmentNumber: s + 1,
      SegmentLabel: segment.label.slice(0, 64),
      SegmentAlgorithmType: segment.algorithmType,
      SegmentAlgorithmName: segment.algorithmName.slice(0, 64),
      SegmentationAlgorithmIdentificationSequence: [
        {
          AlgorithmFamilyCodeSequence: [code('123109', 'DCM', 'Manual Processing')],
          AlgorithmName: segment.algorithmName.slice(0, 64),
          AlgorithmVersion: segment.algorithmVersion.slice(0, 64),
          AlgorithmParameters: segment.algorithmParameters,
        },
      ],
      SegmentedPropertyCategoryCodeSequence: [TISSUE],
      SegmentedPropertyTypeCodeSequence: [TISSUE],
      RecommendedDisplayCIELabValue: hexToDicomLab(segment.color),
    })),
    // Image Pixel: 1-bit binary frames.
    Rows: doc.rows,
    Columns: doc.columns,
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    BitsAllocated: 1,
    BitsStored: 1,
    HighBit: 0,
    PixelRepresentation: 0,
    NumberOfFrames: frames.length,
    // Multi-frame Dimension: frames are indexed by segment, then by source slice.
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: dimensionOrganizationUid }],
    DimensionIndexSequence: [
      {
        DimensionOrganizationUID: dimensionOrganizationUid,
        DimensionIndexPointer: 0x0062000b,
        FunctionalGroupPointer: 0x0062000a,
        DimensionDescriptionLabel: 'Segment Number',
      },
      ...(withGeometry
        ? [
            {
              DimensionOrganizationUID: dimensionOrganizationUid,
              DimensionIndexPointer: 0x00200032,
              FunctionalGroupPointer: 0x00209113,
              DimensionDescriptionLabel: 'Image Position (Patient)',
            },
          ]
        : []),
    ],
    SharedFunctionalGroupsSequence: [
      withGeometry
        ? {
            ...(doc.pixelSpacing
              ? {
                  PixelMeasuresSequence: [
                    { PixelSpacing: doc.pixelSpacing, SliceThickness: first.sliceThickness ?? '' },
                  ],
                }
              : {}),
            ...(doc.orientation ? { PlaneOrientationSequence: [{ ImageOrientationPatient: doc.orientation }] } : {}),
          }
        : {},
    ],
    PerFrameFunctionalGroupsSequence: perFrame,
    // Common Instance Reference: every source image, by series.
    ReferencedSeriesSequence: groupBySeries([...sources.values()]),
    PixelData: [
      packFrames(
        frames.map(({ frame }) => frame.mask),
        pixels,
      ).buffer,
    ],
    _vrMap: { PixelData: 'OB' },
  };
  if (first.frameOfReferenceUid) {
    dataset.FrameOfReferenceUID = first.frameOfReferenceUid;
    dataset.PositionReferenceIndicator = '';
  }

  const { DicomDict, DicomMetaDictionary } = dcmjs.data;
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: SEGMENTATION_STORAGE,
    MediaStorageSOPInstanceUID: sopInstanceUid,
    TransferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
    ImplementationClassUID: '2.25.166430262946106117213442425931426536431',
    ImplementationVersionName: 'MEDLENS',
  };
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  return new Uint8Array(dict.write());
}

function groupBySeries(sources: DicomReference[]) {
  const bySeries = new Map<string, DicomReference[]>();
  for (const source of sources)
    bySeries.set(source.seriesInstanceUid, [...(bySeries.get(source.seriesInstanceUid) ?? []), source]);
  return [...bySeries].map(([series, members]) => ({
    SeriesInstanceUID: series,
    ReferencedInstanceSequence: members.map((m) => ({
      ReferencedSOPClassUID: m.sopClassUid,
      ReferencedSOPInstanceUID: m.sopInstanceUid,
    })),
  }));
}
