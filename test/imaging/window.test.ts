import { describe, expect, it } from 'vitest';
import { decodeDicom } from '../../src/lib/imaging/dicom/decode-dicom';
import { defaultWindow, renderFrame, voiTransform } from '../../src/lib/imaging/window';
import { fixtureBytes } from './fixtures';

describe('voiTransform (PS3.3 C.11.2.1.2)', () => {
  it('LINEAR clips at c − 0.5 ± (w − 1)/2 and is linear between', () => {
    const f = voiTransform('LINEAR', { center: 40, width: 400 });
    expect(f(40 - 0.5 - 399 / 2)).toBe(0);
    expect(f(40 - 0.5 + 399 / 2 + 0.01)).toBe(255);
    expect(f(39.5)).toBeCloseTo(127.5);
    expect(f(100)).toBeCloseTo(((100 - 39.5) / 399 + 0.5) * 255);
  });

  it('LINEAR_EXACT clips at c ± w/2', () => {
    const f = voiTransform('LINEAR_EXACT', { center: 0, width: 100 });
    expect(f(-50)).toBe(0);
    expect(f(0)).toBeCloseTo(127.5);
    expect(f(50.001)).toBe(255);
  });

  it('SIGMOID is 127.5 at the centre and never clips', () => {
    const f = voiTransform('SIGMOID', { center: 128, width: 64 });
    expect(f(128)).toBeCloseTo(127.5);
    expect(f(0)).toBeGreaterThan(0);
    expect(f(255)).toBeLessThan(255);
  });
});

describe('renderFrame', () => {
  it('windows modality values (after rescale) to grey', async () => {
    const image = await decodeDicom(fixtureBytes('generated/series/ct-a.dcm'), 'ct-a');
    // ct-a is slice index 3: its centre rectangle is 300 HU, its background −1000 HU.
    const rgba = renderFrame(image, 0, { window: { center: 40, width: 1000 }, invert: false });
    const at = (x: number, y: number) => rgba[4 * (y * image.width + x)];
    expect(at(48, 32)).toBe(Math.round(((300 - 39.5) / 999 + 0.5) * 255));
    expect(at(2, 40)).toBe(0);
    expect(rgba[4 * (32 * image.width + 48) + 3]).toBe(255);
  });

  it('shows MONOCHROME1 inverted, and user inversion flips it back', async () => {
    const image = await decodeDicom(fixtureBytes('generated/monochrome1.dcm'), 'm1');
    const window = defaultWindow(image);
    const shown = renderFrame(image, 0, { window, invert: false });
    const flipped = renderFrame(image, 0, { window, invert: true });
    expect(image.frames[0]![0]).toBe(0);
    expect(shown[0]).toBe(255);
    expect(flipped[0]).toBe(0);
  });

  it('applies the file VOI LUT Function', async () => {
    const image = await decodeDicom(fixtureBytes('generated/voi-sigmoid.dcm'), 'sig');
    const rgba = renderFrame(image, 0, { window: defaultWindow(image), invert: false });
    const stored = image.frames[0]![1]!;
    expect(rgba[4]).toBe(Math.round(255 / (1 + Math.exp((-4 * (stored - 128)) / 64))));
  });

  it('passes colour through with the identity window', async () => {
    const image = await decodeDicom(fixtureBytes('generated/rgb-planar1.dcm'), 'rgb');
    const rgba = renderFrame(image, 0, { window: defaultWindow(image), invert: false });
    const i = 3 * 45;
    expect([rgba[4 * 45], rgba[4 * 45 + 1], rgba[4 * 45 + 2]]).toEqual([...image.frames[0]!.subarray(i, i + 3)]);
  });

  it('refuses a frame that does not exist', async () => {
    const image = await decodeDicom(fixtureBytes('dicom/MR_small.dcm'), 'mr');
    expect(() => renderFrame(image, 1, { window: defaultWindow(image), invert: false })).toThrow(/frame 2 of 1/);
  });
});

describe('display of 1-bit and deep colour images', () => {
  it('shows a 1-bit SEG frame as black and white', async () => {
    const image = await decodeDicom(fixtureBytes('generated/seg-1bit-3frames.dcm'), 'seg');
    const rgba = renderFrame(image, 2, { window: defaultWindow(image), invert: false });
    const frame = image.frames[2]!;
    for (let i = 0; i < frame.length; i++) expect(rgba[4 * i]).toBe(frame[i] ? 255 : 0);
  });

  it('scales 16- and 32-bit RGB over its range, channel by channel', async () => {
    for (const file of ['generated/rle-rgb-16bit.dcm', 'generated/rle-rgb-32bit.dcm']) {
      const image = await decodeDicom(fixtureBytes(file), file);
      const rgba = renderFrame(image, 0, { window: defaultWindow(image), invert: false });
      const samples = image.frames[0]!;
      const { min, max } = image.range;
      for (let p = 0; p < image.width * image.height; p++) {
        for (let c = 0; c < 3; c++) {
          const expected = ((samples[3 * p + c]! - min) / (max - min)) * 255;
          expect(Math.abs(rgba[4 * p + c]! - expected)).toBeLessThanOrEqual(1);
        }
      }
    }
  });
});
