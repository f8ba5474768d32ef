import { expect, it } from 'vitest';
import { jpegFrameHeader } from '../../src/lib/imaging/jpeg-frame-header';
import { rasterSize, sniffRaster } from '../../src/lib/imaging/raster/raster-header';
import { readPart10 } from '../../src/lib/imaging/dicom/read-part10';
import { readImageMeta } from '../../src/lib/imaging/dicom/image-meta';
import { encapsulatedFrame } from '../../src/lib/imaging/dicom/frame-bytes';
import { withDeclaredColourSpace } from '../../src/lib/imaging/dicom/jpeg-colour-space';
import { fixtureBytes } from './fixtures';

/** The JPEG bitstream inside a DICOM file: a whole JPEG file, as a browser would read one. */
function jpegOf(rel: string): Uint8Array {
  const ds = readPart10(fixtureBytes(rel));
  return encapsulatedFrame(ds, readImageMeta(ds), 0);
}

it('reads size and precision from the same marker walk, for DICOM frames and JPEG files', () => {
  const baseline = jpegOf('dicom/TestPattern_JPEG-Baseline_YBRFull.dcm');
  expect(jpegFrameHeader(baseline)).toEqual({
    precision: 8,
    width: 640,
    height: 400,
    components: 3,
    successiveApproximation: false,
  });
  expect(sniffRaster(baseline)).toBe('jpeg');
  expect(rasterSize(baseline, 'jpeg')).toEqual({ width: 640, height: 400 });
  expect(jpegFrameHeader(jpegOf('dicom/JPGExtended.dcm'))).toMatchObject({
    precision: 12,
    width: 256,
    height: 1024,
    components: 1,
  });
  expect(
    jpegFrameHeader(jpegOf('dicom/CTImage_JPEGProcess10_12TransferSyntax_1.2.840.10008.1.2.4.55.dcm')),
  ).toMatchObject({
    successiveApproximation: true,
  });
  expect(jpegFrameHeader(new Uint8Array([0xff, 0xd8, 0xff, 0xd9]))).toBeUndefined();
});

it("states the data set's colour space in the stream, hiding the stream's own hints", () => {
  const stream = jpegOf('dicom/TestPattern_JPEG-Baseline_YBRFull.dcm'); // has a JFIF APP0
  expect([stream[2], stream[3]]).toEqual([0xff, 0xe0]);
  const asRgb = withDeclaredColourSpace(stream, 'RGB');
  // SOI, then Adobe APP14 with transform 0, then the old APP0 renamed APP15.
  expect([...asRgb.subarray(0, 4)]).toEqual([0xff, 0xd8, 0xff, 0xee]);
  expect(String.fromCharCode(...asRgb.subarray(6, 11))).toBe('Adobe');
  expect(asRgb[17]).toBe(0);
  expect([asRgb[18], asRgb[19]]).toEqual([0xff, 0xef]);
  expect(asRgb.subarray(20)).toEqual(stream.subarray(4));
  expect(withDeclaredColourSpace(stream, 'YBR_FULL_422')[17]).toBe(1);
  expect(withDeclaredColourSpace(stream, 'PALETTE COLOR')).toBe(stream);
});
