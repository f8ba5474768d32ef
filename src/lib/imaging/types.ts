/** Stored pixel values of one frame, as the file holds them (before the modality LUT). */
export type PixelArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array;

/** DICOM PS3.3 C.11.2.1.3 VOI LUT Function. */
export type VoiFunction = 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';

/** Window centre and width in modality units (after Rescale Slope/Intercept). */
export interface WindowLevel {
  center: number;
  width: number;
}

export interface TagRow {
  /** `ggggeeee` in upper-case hex. */
  tag: string;
  vr: string;
  value: string;
}

/** Where a slice sits, used to order a series into a stack. */
export interface SliceLocation {
  seriesUid: string;
  instanceNumber?: number;
  position?: [number, number, number];
  orientation?: [number, number, number, number, number, number];
}

/**
 * What a derived object (a DICOM SEG) must copy or reference from its source image: the
 * identifying attributes, as the file states them (PS3.3 C.7.1.1, C.7.2.1, C.7.3.1, C.7.4.1).
 */
export interface DicomReference {
  sopClassUid: string;
  sopInstanceUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  frameOfReferenceUid?: string;
  patientName?: string;
  patientId?: string;
  patientBirthDate?: string;
  patientSex?: string;
  studyDate?: string;
  studyTime?: string;
  studyId?: string;
  accessionNumber?: string;
  referringPhysicianName?: string;
  sliceThickness?: number;
}

/** A DICOM Segmentation's segments and, per frame, the segment and the source image it belongs to. */
export interface SegmentationInfo {
  segments: { number: number; label: string; lab?: [number, number, number] }[];
  frames: { segment: number; sourceInstanceUid?: string; sourceFrame?: number }[];
}

/** What an enhanced multi-frame image states per frame (its functional groups). */
export interface FrameAttributes {
  /** Pixel Value Transformation; absent: the image's rescale. */
  rescale?: { slope: number; intercept: number };
  /** Frame VOI LUT; absent: the image's window. */
  window?: WindowLevel;
  /** Plane Position (Image Position (Patient)) of the frame's top-left pixel, in mm. */
  position?: [number, number, number];
}

export interface DecodedImage {
  /** The file name: shown to the user, never used to tell images apart (see OpenImage.id). */
  name: string;
  /** SOP Instance UID (0008,0018), for DICOM files that have one. */
  instanceUid?: string;
  /** Identifying attributes to reference or copy, for DICOM files that have all the UIDs. */
  reference?: DicomReference;
  source: 'dicom' | 'raster';
  width: number;
  height: number;
  /** 1 for greyscale, 3 for RGB interleaved (YBR and planar data are converted on decode). */
  samplesPerPixel: 1 | 3;
  frames: PixelArray[];
  /** Photometric Interpretation as stored in the file (before any colour conversion). */
  photometric: string;
  /** MONOCHROME1: low values are displayed bright. */
  invert: boolean;
  rescale: { slope: number; intercept: number };
  /** Window from the file, if it has one. */
  window?: WindowLevel;
  voiFunction: VoiFunction;
  /** Per frame, for enhanced multi-frame images: overrides of rescale and window, and positions. */
  perFrame?: FrameAttributes[];
  /** Smallest and largest modality value over all frames. */
  range: { min: number; max: number };
  /** Row spacing, column spacing in mm (PS3.3 C.7.6.2.1.1: adjacent rows, then adjacent columns). */
  pixelSpacing?: [number, number];
  /** Which attribute `pixelSpacing` came from: in the patient (Pixel Spacing) or at the detector. */
  pixelSpacingSource?: 'Pixel Spacing' | 'Imager Pixel Spacing';
  /** Modality (0008,0060), e.g. CT: modality values are then HU. */
  modality?: string;
  location?: SliceLocation;
  transferSyntax?: string;
  tags: TagRow[];
  /** For a DICOM Segmentation: which segment and source image each frame belongs to. */
  segmentation?: SegmentationInfo;
  /** What the user should know although the image opened (e.g. frames beyond Number of Frames). */
  warnings?: string[];
}

/**
 * An image once opened: `id` is given at open time and never shared by another image of the
 * session, even one with the same file name or the same bytes opened twice.
 */
export interface OpenImage extends DecodedImage {
  id: string;
}
