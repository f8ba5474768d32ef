import { wrap, type Remote } from 'comlink';

/**
 * A worker started on first use and ended by `reset()`; the next call after a reset starts a
 * fresh one. `start` must hold the literal `new Worker(new URL(…), …)` so Vite bundles it.
 */
export class LazyWorker<Api> {
  #start: () => Worker;
  #worker: Worker | undefined;
  #api: Remote<Api> | undefined;

  constructor(start: () => Worker) {
    this.#start = start;
  }

  get api(): Remote<Api> {
    if (!this.#api) {
      this.#worker = this.#start();
      this.#api = wrap<Api>(this.#worker);
    }
    return this.#api;
  }

  /** The running worker's API, without starting one. */
  get running(): Remote<Api> | undefined {
    return this.#api;
  }

  reset(): void {
    this.#worker?.terminate();
    this.#worker = undefined;
    this.#api = undefined;
  }
}
