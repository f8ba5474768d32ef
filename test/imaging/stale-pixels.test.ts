import { describe, expect, it } from 'vitest';
import { decodeDicom } from '../../src/lib/imaging/dicom/decode-dicom';
import { ImagingError } from '../../src/lib/imaging/imaging-error';
import { fixtureBytes } from './fixtures';
import { truncateFragment } from './broken-streams';

// A codec instance reused across files once handed back the previous file's pixels for a
// broken stream of the same size. Each case decodes a valid file, then a broken copy of it.
const cases = {
  'JPEG 2000': 'dicom/MR_small_jp2klossless.dcm',
  'JPEG-LS': 'dicom/MR_small_jpeg_ls_lossless.dcm',
  'JPEG baseline': 'dicom/CTImage_JPEGProcess1TransferSyntax_1.2.840.10008.1.2.4.50.dcm',
  'JPEG 12-bit': 'dicom/JPGExtended.dcm',
  'JPEG Lossless': 'dicom/CTImage_JPEGProcess14SV1TransferSyntax_1.2.840.10008.1.2.4.70.dcm',
};

describe.each(Object.entries(cases))('%s', (_, file) => {
  it('refuses a broken stream decoded right after a valid one of the same size', async () => {
    const valid = fixtureBytes(file);
    const good = await decodeDicom(valid, 'valid.dcm');
    expect(good.frames[0]!.length).toBeGreaterThan(0);
    const attempt = decodeDicom(truncateFragment(valid, 0.5), 'broken.dcm');
    await expect(attempt).rejects.toBeInstanceOf(ImagingError);
    await expect(attempt).rejects.toThrow(/corrupt|stream|ERROR|could not decode|SOF|marker|bytes/i);
  });
});
