import { expect, it } from 'vitest';
import { EmbeddingCache } from '../../src/lib/models/embedding-cache';

/** An embedding that records being released (on WebGPU, its GPU buffer freed). */
const embedding = (name: string, released: string[]) => ({ byteLength: 4, release: () => released.push(name) });

it('releases each embedding exactly when it leaves: evicted, replaced or cleared', () => {
  const released: string[] = [];
  const cache = new EmbeddingCache<ReturnType<typeof embedding>>(8);
  cache.set('a', embedding('a', released));
  cache.set('b', embedding('b', released));
  cache.get('a'); // a is now the most recent: b goes first
  cache.set('c', embedding('c', released));
  expect(released).toEqual(['b']);
  const again = embedding('a2', released);
  cache.set('a', again);
  expect(released).toEqual(['b', 'a']);
  cache.set('a', again); // the same one again: kept
  expect(released).toEqual(['b', 'a']);
  cache.clear();
  expect(released.sort()).toEqual(['a', 'a2', 'b', 'c']);
  expect(cache.bytes).toBe(0);
});
