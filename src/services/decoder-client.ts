import { transfer, wrap, type Remote } from 'comlink';
import type { DecodeApi } from '../../workers/decode.worker';
import type { DecodedImage } from '../lib/imaging/types';

/**
 * The decode worker, started on first use. If the worker itself dies (an uncaught error, a
 * WASM abort), the next call starts a fresh one; a refused file only rejects its own call.
 */
export class DecoderClient {
  #worker: Worker | undefined;
  #api: Remote<DecodeApi> | undefined;

  #remote(): Remote<DecodeApi> {
    if (!this.#api) {
      const worker = new Worker(new URL('../../workers/decode.worker.ts', import.meta.url), {
        type: 'module',
        name: 'decode',
      });
      worker.addEventListener('error', () => this.#reset());
      this.#worker = worker;
      this.#api = wrap<DecodeApi>(worker);
    }
    return this.#api;
  }

  #reset(): void {
    this.#worker?.terminate();
    this.#worker = undefined;
    this.#api = undefined;
  }

  /** The file's bytes move to the worker (transferred); decoded frames move back. */
  async decode(file: File): Promise<DecodedImage> {
    const buffer = await file.arrayBuffer();
    return this.#remote().decode(transfer(buffer, [buffer]), file.name);
  }

  dispose(): void {
    this.#reset();
  }
}
