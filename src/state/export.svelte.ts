import { download, exportResults, type ExportFormat } from '../services/export';
import type { ViewerState } from './viewer.svelte';

/** Saving the displayed series' results as a file: one owner for the buttons that offer it. */
export class ExportState {
  #viewer: ViewerState;
  #busy = $state(false);
  #error = $state<string | undefined>(undefined);

  constructor(viewer: ViewerState) {
    this.#viewer = viewer;
  }

  get busy() {
    return this.#busy;
  }
  get error() {
    return this.#error;
  }

  async save(format: ExportFormat): Promise<void> {
    this.#busy = true;
    this.#error = undefined;
    try {
      download(await exportResults(this.#viewer, format));
    } catch (e) {
      this.#error = (e as Error).message;
    } finally {
      this.#busy = false;
    }
  }
}
