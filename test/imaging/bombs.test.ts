import { expect, it } from 'vitest';
import { decodeDicom } from '../../src/lib/imaging/dicom/decode-dicom';
import { ImagingError } from '../../src/lib/imaging/imaging-error';
import { BOMBS, mammogram } from '../fixtures/bombs.mjs';

// Each bomb is refused by its declared size, before any pixel is decoded or allocated.
const REASONS: Record<string, RegExp> = {
  'rle-32768.dcm': /32768×32768 exceeds the 64 Mpixel limit per frame/,
  'rle-16384.dcm': /16384×16384 exceeds the 64 Mpixel limit per frame/,
  'frames-4000000.dcm': /4000000 frames exceed the limit of 20000 frames per file/,
  'frames-500000.dcm': /500000 frames exceed the limit/,
  'huge-length.dcm': /declares 4294967280 bytes|needs 4294967280 bytes/,
};

for (const [name, make] of Object.entries(BOMBS)) {
  it(`refuses ${name} with the reason`, async () => {
    const attempt = decodeDicom(new Uint8Array(make()), name);
    await expect(attempt).rejects.toBeInstanceOf(ImagingError);
    await expect(attempt).rejects.toThrow(REASONS[name]!);
  });
}

it('still opens the largest real images: a 4300×3500 16-bit mammogram', async () => {
  const bytes = mammogram();
  const image = await decodeDicom(new Uint8Array(bytes), 'mammo.dcm');
  expect([image.width, image.height]).toEqual([4300, 3500]);
});
