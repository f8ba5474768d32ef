import { describe, expect, it } from 'vitest';
import { decodeDicom } from '../../src/lib/imaging/dicom/decode-dicom';
import { buildStacks, sliceSpacing } from '../../src/lib/imaging/series';
import { boxSize, lineLength, maskVolume, measureMask } from '../../src/lib/measure/measures';
import type { DecodedImage } from '../../src/lib/imaging/types';
import { diskSlice, sphereSeries } from '../fixtures/phantoms.mjs';

const inside = (image: DecodedImage, above: number) =>
  Uint8Array.from(image.frames[0]!, (v) => (v * image.rescale.slope + image.rescale.intercept > above ? 1 : 0));

describe('a disk of radius 40 mm in a CT slice with 0.6 × 0.8 mm pixels', () => {
  it('has the analytic area and mean HU, within 1%', async () => {
    const image = await decodeDicom(new Uint8Array(diskSlice({ radiusMm: 40 })), 'disk.dcm');
    expect(image.pixelSpacing).toEqual([0.6, 0.8]);
    const m = measureMask(image, 0, inside(image, -500));
    const area = Math.PI * 40 ** 2;
    expect(m.area.unit).toBe('mm²');
    expect(m.area.basis).toBe('Pixel Spacing');
    expect(Math.abs(m.area.value - area) / area).toBeLessThan(0.01);
    // Values 50 + 0.4·(x − cx) HU: the mean over a disk about cx is 50, the extremes 50 ± 16.
    expect(m.values!.unit).toBe('HU');
    expect(Math.abs(m.values!.mean - 50) / 50).toBeLessThan(0.01);
    expect(m.values!.min).toBeGreaterThanOrEqual(34);
    expect(m.values!.max).toBeLessThanOrEqual(66);
    // SD of a linear ramp over a disk: 0.4 · r/2 = 8 HU.
    expect(Math.abs(m.values!.sd - 8) / 8).toBeLessThan(0.02);
  });
});

describe('a sphere of radius 20 mm through 40 slices 1.5 mm apart', () => {
  it('has the analytic volume, within 3%, with the spacing taken from the positions', async () => {
    const phantom = sphereSeries({ radiusMm: 20, slices: 40, spacingMm: 1.5 });
    const images = await Promise.all(
      phantom.files.map(async (f, i) => ({ ...(await decodeDicom(new Uint8Array(f.bytes), f.name)), id: `s${i}` })),
    );
    const [stack] = buildStacks(images);
    expect(stack!.slices).toHaveLength(40);
    const spacing = sliceSpacing(stack!.slices)!;
    expect(spacing).toBeCloseTo(1.5, 6);
    const areas = stack!.slices.map((s) => measureMask(s.image, 0, inside(s.image, 0)).area);
    const volume = maskVolume(areas, spacing)!;
    const truth = ((4 / 3) * Math.PI * 20 ** 3) / 1000;
    expect(volume.unit).toBe('mL');
    expect(Math.abs(volume.value - truth) / truth).toBeLessThan(0.03);
  });
});

describe('boxes and lines', () => {
  const image = { pixelSpacing: [0.6, 0.8], pixelSpacingSource: 'Imager Pixel Spacing' } as DecodedImage;
  it('measures along x with the column spacing and along y with the row spacing', () => {
    const size = boxSize(image, { x0: 10, y0: 10, x1: 20, y1: 30 });
    expect(size.width).toEqual({ value: 8, unit: 'mm', basis: 'Imager Pixel Spacing' });
    expect(size.height.value).toBeCloseTo(12, 9);
    expect(lineLength(image, { x0: 0, y0: 0, x1: 3, y1: 8 }).value).toBeCloseTo(Math.hypot(3 * 0.8, 8 * 0.6), 9);
  });
  it('says px where the image has no spacing', () => {
    const plain = {} as DecodedImage;
    expect(lineLength(plain, { x0: 0, y0: 0, x1: 3, y1: 4 })).toEqual({ value: 5, unit: 'px' });
    expect(maskVolume([{ value: 10, unit: 'px²' }], 1)).toBeUndefined();
  });
});
