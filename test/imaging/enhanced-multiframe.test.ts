import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { decodeDicom } from '../../src/lib/imaging/dicom/decode-dicom';
import { buildStacks } from '../../src/lib/imaging/series';
import { defaultWindow, modalityValue, renderFrame } from '../../src/lib/imaging/window';
import { fixtureBytes, fixturePath } from './fixtures';

/** pydicom's reading of the functional groups (make-references.py `per_frame`). */
interface Groups {
  frames: { slope: number; intercept: number; window: [number, number]; position: [number, number, number] }[];
  pixelSpacing: [number, number];
  orientation: number[];
}
const FILE = 'generated/enhanced-ct.dcm';
const reference = JSON.parse(readFileSync(fixturePath('references.json'), 'utf8'))[FILE] as {
  functionalGroups: Groups;
};
const groups = reference.functionalGroups;

it('applies each frame’s own rescale and window, and shares spacing and orientation', async () => {
  const image = await decodeDicom(fixtureBytes(FILE), 'enhanced-ct.dcm');
  expect(image.pixelSpacing).toEqual(groups.pixelSpacing);
  expect(image.location?.orientation).toEqual(groups.orientation);
  groups.frames.forEach((g, f) => {
    const stored = image.frames[f]!;
    for (const i of [0, 7, 12 * image.width + 16, stored.length - 1]) {
      const [x, y] = [i % image.width, Math.floor(i / image.width)];
      expect(modalityValue(image, f, x, y)).toBeCloseTo(stored[i]! * g.slope + g.intercept, 6);
    }
    expect(defaultWindow(image, f)).toEqual({ center: g.window[0], width: g.window[1] });
  });
  // The generator's phantom: the first row is a ramp −300 + 20·x HU in every frame, whatever
  // the frame's slope and intercept.
  for (let f = 0; f < groups.frames.length; f++) {
    for (const x of [0, 5, 31]) expect(modalityValue(image, f, x, 0)).toBeCloseTo(-300 + 20 * x, 6);
  }
  const { min, max } = image.range;
  expect(min).toBe(-1000);
  expect(max).toBe(400);
});

it('orders the frames along the normal from their Plane Positions', async () => {
  const image = { ...(await decodeDicom(fixtureBytes(FILE), 'enhanced-ct.dcm')), id: 'e' };
  const [stack] = buildStacks([image]);
  const byZ = groups.frames.map((g, f) => ({ f, z: g.position[2] })).sort((a, b) => a.z - b.z);
  expect(stack!.slices.map((s) => s.frame)).toEqual(byZ.map((e) => e.f));
  // Disk centre in anatomical order: 100, 200, 300, 400 HU.
  expect(stack!.slices.map((s) => modalityValue(image, s.frame, 16, 12))).toEqual([100, 200, 300, 400]);
});

it('renders a frame through its own window', async () => {
  const image = await decodeDicom(fixtureBytes(FILE), 'enhanced-ct.dcm');
  const f = 1; // window −600 / 1500 in the file
  const rgba = renderFrame(image, f, { window: defaultWindow(image, f), invert: false });
  const hu = modalityValue(image, f, 16, 12)!;
  const [c, w] = groups.frames[f]!.window;
  expect(rgba[4 * (12 * image.width + 16)]).toBe(Math.round(((hu - (c - 0.5)) / (w - 1) + 0.5) * 255));
});
