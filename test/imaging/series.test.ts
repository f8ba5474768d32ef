import { readdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import { decodeDicom } from '../../src/lib/imaging/dicom/decode-dicom';
import { buildStacks } from '../../src/lib/imaging/series';
import { fixtureBytes, fixturePath } from './fixtures';

it('orders a shuffled series by position along the slice normal', async () => {
  const names = readdirSync(fixturePath('generated/series'));
  const images = await Promise.all(names.map((n) => decodeDicom(fixtureBytes(`generated/series/${n}`), n)));
  const other = await decodeDicom(fixtureBytes('dicom/rtdose.dcm'), 'rtdose.dcm');
  const stacks = buildStacks([other, ...images]);
  expect(stacks).toHaveLength(2);
  const series = stacks.find((s) => s.slices.length === 5)!;
  // Slice k of the generator has a centre of 100·k HU and z = −50 + 2.5·k.
  const centres = series.slices.map(({ image }) => image.frames[0]![32 * 96 + 48]! - 1024);
  expect(centres).toEqual([0, 100, 200, 300, 400]);
  // Instance numbers run the other way, so they were not what ordered the stack.
  expect(series.slices.map(({ image }) => image.location?.instanceNumber)).toEqual([5, 4, 3, 2, 1]);
  const multiFrame = stacks.find((s) => s.label === 'rtdose.dcm')!;
  expect(multiFrame.slices.map((s) => s.frame)).toEqual([...Array(15).keys()]);
});
