import { expect, it } from 'vitest';
import { FIT_VIEW, imageToScreen, screenToImage, viewScale, zoomAbout } from '../../src/lib/geometry/view-transform';

const image = { width: 1477, height: 1198 };
const viewport = { width: 1000, height: 600 };

it('fits the image and centres it', () => {
  expect(viewScale(image, viewport, FIT_VIEW)).toBeCloseTo(600 / 1198);
  const centre = imageToScreen({ x: image.width / 2, y: image.height / 2 }, image, viewport, FIT_VIEW);
  expect(centre).toEqual({ x: 500, y: 300 });
});

it('maps screen to image and back', () => {
  const view = { zoom: 2.5, panX: 40, panY: -13 };
  const p = { x: 123.25, y: 987.5 };
  const back = screenToImage(imageToScreen(p, image, viewport, view), image, viewport, view);
  expect(back.x).toBeCloseTo(p.x);
  expect(back.y).toBeCloseTo(p.y);
});

it('zooms about the pointer, keeping the image point under it', () => {
  const anchor = { x: 700, y: 150 };
  const before = screenToImage(anchor, image, viewport, FIT_VIEW);
  const view = zoomAbout(FIT_VIEW, 3, anchor, image, viewport);
  expect(view.zoom).toBe(3);
  const after = screenToImage(anchor, image, viewport, view);
  expect(after.x).toBeCloseTo(before.x);
  expect(after.y).toBeCloseTo(before.y);
});
