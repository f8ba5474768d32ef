import { wrap, type Remote } from 'comlink';

/** The error every call still waiting on a worker gets when that worker is ended. */
export class WorkerResetError extends Error {
  override name = 'WorkerResetError';
}

/**
 * A worker started on first use and ended by `reset()`; the next call after a reset starts a
 * fresh one. `start` must hold the literal `new Worker(new URL(…), …)` so Vite bundles it.
 * Calls go through a proxy that also waits on the worker's end: a terminated worker never
 * answers, so `reset()` rejects every call still pending on it, with the reason given.
 */
export class LazyWorker<Api> {
  #start: () => Worker;
  #worker: Worker | undefined;
  #api: Remote<Api> | undefined;
  #end: ((reason: WorkerResetError) => void) | undefined;

  constructor(start: () => Worker) {
    this.#start = start;
  }

  get api(): Remote<Api> {
    if (!this.#api) {
      this.#worker = this.#start();
      const remote = wrap<Api>(this.#worker);
      const ended = new Promise<never>((_, reject) => (this.#end = reject));
      ended.catch(() => undefined); // only the calls racing it report the reset
      this.#api = new Proxy(remote, {
        get: (target, property) => {
          const member = Reflect.get(target, property) as unknown;
          if (typeof member !== 'function') return member;
          return (...args: unknown[]) =>
            Promise.race([(member as (...a: unknown[]) => Promise<unknown>)(...args), ended]);
        },
      }) as Remote<Api>;
    }
    return this.#api;
  }

  /** The running worker's API, without starting one. */
  get running(): Remote<Api> | undefined {
    return this.#api;
  }

  reset(reason = 'the worker was restarted'): void {
    this.#end?.(new WorkerResetError(reason));
    this.#end = undefined;
    this.#worker?.terminate();
    this.#worker = undefined;
    this.#api = undefined;
  }
}
