import { expect, it, vi } from 'vitest';
import { OverlayLayer } from '../../src/lib/overlays/overlay-layer';

it('adds, updates, removes and clears boxes and masks, telling listeners each time', () => {
  const layer = new OverlayLayer();
  const listener = vi.fn();
  const off = layer.on('change', listener);
  const box = layer.addBox({ image: 'a:0', x0: 30, y0: 40, x1: 10, y1: 20, label: 'nodule' });
  const mask = layer.addMask({
    image: 'a:0',
    width: 2,
    height: 2,
    data: new Uint8Array([1, 0, 0, 1]),
    color: '#00ff00',
  });
  expect(layer.list().map((o) => o.kind)).toEqual(['box', 'mask']);
  expect(layer.list()[0]).toMatchObject({
    id: box,
    x0: 10,
    y0: 20,
    x1: 30,
    y1: 40,
    label: 'nodule',
    opacity: 1,
    visible: true,
  });
  expect(layer.list()[1]).toMatchObject({ id: mask, color: '#00ff00', opacity: 0.5 });
  expect(layer.list()[0]!.color).not.toBe(layer.list()[1]!.color);

  layer.update(mask, { visible: false, opacity: 0.25 });
  expect(layer.list()[1]).toMatchObject({ visible: false, opacity: 0.25 });
  expect(layer.remove(box)).toBe(true);
  expect(layer.remove(box)).toBe(false);
  layer.clear();
  expect(layer.list()).toEqual([]);
  expect(listener).toHaveBeenCalledTimes(5);
  expect(listener).toHaveBeenLastCalledWith([]);
  off();
  layer.addBox({ image: 'a:0', x0: 0, y0: 0, x1: 1, y1: 1 });
  expect(listener).toHaveBeenCalledTimes(5);
});

it('refuses malformed input with a reason', () => {
  const layer = new OverlayLayer();
  expect(() => layer.addBox({ image: 'a:0', x0: 0, y0: NaN, x1: 1, y1: 1 })).toThrow(/finite/);
  expect(() => layer.addMask({ image: 'a:0', width: 2, height: 2, data: new Uint8Array(3) })).toThrow(
    /3 values, expected 2×2/,
  );
  expect(() => layer.addMask({ image: 'a:0', width: 0, height: 2, data: new Uint8Array(0) })).toThrow(
    /positive integer size/,
  );
  expect(() => layer.addBox({ image: 'a:0', x0: 0, y0: 0, x1: 1, y1: 1, opacity: 2 })).toThrow(/outside 0…1/);
  expect(() => layer.update('box-99', { visible: false })).toThrow(/no overlay box-99/);
  expect(layer.list()).toEqual([]);
});

it('keeps each overlay on its own image', () => {
  const layer = new OverlayLayer();
  const onA = layer.addBox({ image: 'a:0', x0: 0, y0: 0, x1: 1, y1: 1 });
  const onB = layer.addBox({ image: 'b:0', x0: 0, y0: 0, x1: 1, y1: 1 });
  expect(layer.list('a:0').map((o) => o.id)).toEqual([onA]);
  expect(layer.list('b:0').map((o) => o.id)).toEqual([onB]);
  expect(layer.list('c:0')).toEqual([]);
  expect(() => layer.addBox({ image: '', x0: 0, y0: 0, x1: 1, y1: 1 })).toThrow(/image id/);
});
