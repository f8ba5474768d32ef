import * as dicomParser from 'dicom-parser';

/**
 * The same file with its first pixel-data fragment cut to `keep` of its length: a codestream
 * that ends early, as a broken transfer or a bad disk leaves it, in an otherwise valid file.
 */
export function truncateFragment(file: Uint8Array, keep: number): Uint8Array {
  const ds = dicomParser.parseDicom(file);
  const element = ds.elements.x7fe00010!;
  const fragment = element.fragments![0]!;
  const cut = Math.max(2, Math.floor((fragment.length * keep) / 2) * 2);
  const itemHeader = fragment.position - 8;
  const out = new Uint8Array(fragment.position + cut + 8);
  out.set(file.subarray(0, fragment.position + cut));
  new DataView(out.buffer).setUint32(itemHeader + 4, cut, true);
  // Sequence Delimitation Item (FFFE,E0DD) with length 0 closes the encapsulated pixel data.
  out.set([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0], fragment.position + cut);
  return out;
}

/** Deterministic pseudo-random numbers (mulberry32), so a failing mutant can be rebuilt. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
