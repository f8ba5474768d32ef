import { MODEL_CACHE } from '../lib/models/model-files';

/**
 * Whether the app shell is cached for offline use (a service worker controls the page and has
 * finished precaching), how much this origin stores, and clearing the cached models.
 */
export class OfflineState {
  #ready = $state(false);
  #usage = $state<number | undefined>(undefined);
  #update = $state.raw<(() => Promise<void>) | undefined>(undefined);

  get ready(): boolean {
    return this.#ready;
  }
  get usage(): number | undefined {
    return this.#usage;
  }

  /** A new version is installed and waiting: `apply` switches to it and reloads. */
  get updateReady(): boolean {
    return this.#update !== undefined;
  }
  offerUpdate(apply: () => Promise<void>): void {
    this.#update = apply;
  }
  async applyUpdate(): Promise<void> {
    await this.#update?.();
  }

  markReady(): void {
    this.#ready = true;
    void this.refresh();
  }

  async refresh(): Promise<void> {
    const estimate = await navigator.storage?.estimate?.();
    this.#usage = estimate?.usage;
  }

  /** Drops downloaded and imported model files; the app shell stays cached. */
  async clearModels(): Promise<void> {
    await caches.delete(MODEL_CACHE);
    await this.refresh();
  }
}
