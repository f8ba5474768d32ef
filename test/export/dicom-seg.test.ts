import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { decodeDicom } from '../../src/lib/imaging/dicom/decode-dicom';
import { writeDicomSeg, type SegDocument } from '../../src/lib/export/dicom-seg';
import type { DecodedImage } from '../../src/lib/imaging/types';
import { fixtureBytes, fixturePath } from '../imaging/fixtures';

// The independent readers: dicom3tools' validator and pydicom (Debian packages dicom3tools,
// python3-pydicom, python3-numpy; .ci/run installs them).
const DCIODVFY = '/usr/bin/dciodvfy';
const PYTHON = '/usr/bin/python3';

let images: DecodedImage[];
let doc: SegDocument;
let file: string;

/** The mask a user might have made on each slice: the slice's centre rectangle (100·k HU, k ≥ 1). */
function centreMask(image: DecodedImage): Uint8Array {
  const stored = image.frames[0]!;
  return Uint8Array.from(stored, (v) => (v * image.rescale.slope + image.rescale.intercept >= 50 ? 1 : 0));
}

beforeAll(async () => {
  const names = readdirSync(fixturePath('generated/series')).sort();
  images = await Promise.all(names.map((n) => decodeDicom(fixtureBytes(`generated/series/${n}`), n)));
  // Slices whose mask is not empty (every slice has the bright ramp on its top rows).
  const masked = images.filter((im) => centreMask(im).some((v) => v));
  doc = {
    rows: 64,
    columns: 96,
    pixelSpacing: images[0]!.pixelSpacing,
    orientation: images[0]!.location!.orientation,
    software: 'medlens test',
    segments: [
      {
        label: 'centre',
        color: '#ffc933',
        algorithmType: 'SEMIAUTOMATIC',
        algorithmName: 'test-sam-tiny SAM-convention fixture',
        algorithmVersion: 'e'.repeat(64),
        algorithmParameters: JSON.stringify({ box: [24, 16, 72, 48] }),
        frames: masked.map((im) => ({ source: im.reference!, position: im.location!.position, mask: centreMask(im) })),
      },
    ],
  };
  file = join(mkdtempSync(join(tmpdir(), 'medlens-seg-')), 'seg.dcm');
  writeFileSync(file, writeDicomSeg(doc));
});

it('passes dciodvfy with no errors', () => {
  const run = spawnSync(DCIODVFY, [file], { encoding: 'utf8' });
  expect(run.error, `${DCIODVFY} must be installed (apt-get install dicom3tools)`).toBeUndefined();
  const output = `${run.stdout}${run.stderr}`;
  expect(output).toMatch(/^Segmentation$/m);
  expect(output.split('\n').filter((line) => /^Error/.test(line))).toEqual([]);
});

it('reads back in pydicom: frames, exact pixels, references and provenance', () => {
  const script = `
import json, sys, pydicom
ds = pydicom.dcmread(sys.argv[1])
print(json.dumps({
  'frames': int(ds.NumberOfFrames),
  'pixels': ds.pixel_array.astype(int).ravel().tolist(),
  'sources': [f.DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID for f in ds.PerFrameFunctionalGroupsSequence],
  'series': [s.SeriesInstanceUID for s in ds.ReferencedSeriesSequence],
  'study': ds.StudyInstanceUID, 'patient': str(ds.PatientName), 'modality': ds.Modality,
  'algorithm': [ds.SegmentSequence[0].SegmentAlgorithmType, ds.SegmentSequence[0].SegmentAlgorithmName],
  'version': ds.SegmentSequence[0].SegmentationAlgorithmIdentificationSequence[0].AlgorithmVersion,
  'parameters': ds.SegmentSequence[0].SegmentationAlgorithmIdentificationSequence[0].AlgorithmParameters,
  'frameOfReference': ds.FrameOfReferenceUID,
  'newUids': [ds.SOPInstanceUID, ds.SeriesInstanceUID],
}))`;
  const read = JSON.parse(execFileSync(PYTHON, ['-c', script, file], { encoding: 'utf8' }));
  const frames = doc.segments[0]!.frames;
  expect(read.frames).toBe(frames.length);
  expect(frames.length).toBe(5);
  expect(read.pixels).toEqual(frames.flatMap((f) => Array.from(f.mask)));
  expect(read.sources).toEqual(frames.map((f) => f.source.sopInstanceUid));
  expect(read.series).toEqual([images[0]!.reference!.seriesInstanceUid]);
  expect(read.study).toBe(images[0]!.reference!.studyInstanceUid);
  expect(read.patient).toBe('Fixture^Synthetic');
  expect(read.modality).toBe('SEG');
  expect(read.algorithm).toEqual(['SEMIAUTOMATIC', 'test-sam-tiny SAM-convention fixture']);
  expect(read.version).toBe('e'.repeat(64));
  expect(JSON.parse(read.parameters)).toEqual({ box: [24, 16, 72, 48] });
  expect(read.frameOfReference).toBe(images[0]!.reference!.frameOfReferenceUid);
  for (const uid of read.newUids) expect(uid).toMatch(/^2\.25\.\d+$/);
});
