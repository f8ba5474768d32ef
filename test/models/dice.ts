/**
 * Dice overlap of two binary masks (any non-zero value is inside). Two empty masks score 0, not
 * 1: an empty prediction never passes for a match, whatever the reference.
 */
export function dice(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`dice: masks of ${a.length} and ${b.length} pixels`);
  let both = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ? 1 : 0;
    const y = b[i] ? 1 : 0;
    both += x & y;
    sum += x + y;
  }
  return sum === 0 ? 0 : (2 * both) / sum;
}
