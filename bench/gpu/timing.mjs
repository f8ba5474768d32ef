// Timing helpers of bench:gpu (measure.mjs and decoder-variants.mjs).

const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
export const stats = (xs) => ({ median: quantile(xs, 0.5), p95: quantile(xs, 0.95), runs: xs.length });

/** Repeats `run` `count` times (fewer once `budgetMs` is spent), after one untimed warm-up, run(-1). */
export async function timed(count, budgetMs, run) {
  await run(-1);
  const times = [];
  const start = performance.now();
  for (let i = 0; i < count && (i === 0 || performance.now() - start < budgetMs); i++) {
    const t = performance.now();
    await run(i);
    times.push(performance.now() - t);
  }
  return times;
}
