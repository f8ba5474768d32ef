import { readdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import { decodeDicom } from '../../src/lib/imaging/dicom/decode-dicom';
import { buildStacks } from '../../src/lib/imaging/series';
import { fixtureBytes, fixturePath } from './fixtures';

it('orders a shuffled series by position along the slice normal', async () => {
  const names = readdirSync(fixturePath('generated/series'));
  const images = await Promise.all(
    names.map(async (n, i) => ({ ...(await decodeDicom(fixtureBytes(`generated/series/${n}`), n)), id: `s${i}` })),
  );
  const other = { ...(await decodeDicom(fixtureBytes('dicom/rtdose.dcm'), 'rtdose.dcm')), id: 'rt' };
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
  expect(multiFrame.slices[14]!.id).toBe('rt:14');
});

it('keeps two files of one name apart: ids, not names, identify slices', async () => {
  const a = { ...(await decodeDicom(fixtureBytes('dicom/CT_small.dcm'), 'IM0001.dcm')), id: 'a' };
  const b = { ...(await decodeDicom(fixtureBytes('generated/monochrome1.dcm'), 'IM0001.dcm')), id: 'b' };
  const stacks = buildStacks([a, b]);
  expect(stacks.map((s) => s.slices[0]!.id)).toEqual(['a:0', 'b:0']);
});
