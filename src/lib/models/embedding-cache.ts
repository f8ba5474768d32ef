/**
 * Least-recently-used store of image embeddings, bounded by bytes: SAM ViT-B's embedding is
 * 256×64×64 float32 = 4 MiB, so the default keeps 64 frames. An embedding leaving the store is
 * released (a GPU buffer freed).
 */
export class EmbeddingCache<T extends { byteLength: number; release?: () => void }> {
  #entries = new Map<string, T>();
  #bytes = 0;

  constructor(readonly maxBytes = 256 * 2 ** 20) {}

  get(key: string): T | undefined {
    const value = this.#entries.get(key);
    if (value) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: T): void {
    const old = this.#entries.get(key);
    if (old) this.#bytes -= old.byteLength;
    if (old && old !== value) old.release?.();
    this.#entries.delete(key);
    this.#entries.set(key, value);
    this.#bytes += value.byteLength;
    for (const [k, v] of this.#entries) {
      if (this.#bytes <= this.maxBytes || k === key) break;
      this.#entries.delete(k);
      this.#bytes -= v.byteLength;
      v.release?.();
    }
  }

  clear(): void {
    for (const v of this.#entries.values()) v.release?.();
    this.#entries.clear();
    this.#bytes = 0;
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }
}
