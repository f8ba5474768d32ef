import { expect, it } from 'vitest';
import { dice } from './dice';

it('scores overlap as 2|A∩B| / (|A|+|B|), and an empty mask as 0 even against an empty reference', () => {
  expect(dice([1, 1, 0, 0], [1, 0, 1, 0])).toBe(0.5);
  expect(dice([255, 0, 1], [1, 0, 1])).toBe(1);
  expect(dice([0, 0, 0], [0, 1, 1])).toBe(0);
  expect(dice([0, 0, 0], [0, 0, 0])).toBe(0);
  expect(() => dice([1], [1, 0])).toThrow(/masks of 1 and 2 pixels/);
});
