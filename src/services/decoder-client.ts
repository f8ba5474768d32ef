import { transfer } from 'comlink';
import { LazyWorker } from './lazy-worker';
import type { DecodeApi } from '../../workers/decode.worker';
import type { DecodedImage } from '../lib/imaging/types';
import { unpackImage } from '../lib/imaging/frame-pack';

/**
 * The decode worker, started on first use. If the worker itself dies (an uncaught error, a
 * WASM abort), the next call starts a fresh one; a refused file only rejects its own call.
 */
export class DecoderClient {
  #worker: LazyWorker<DecodeApi> = new LazyWorker(() => {
    const worker = new Worker(new URL('../../workers/decode.worker.ts', import.meta.url), {
      type: 'module',
      name: 'decode',
    });
    worker.addEventListener('error', () => this.#worker.reset());
    return worker;
  });

  /** The file's bytes move to the worker (transferred); decoded frames move back. */
  async decode(file: File): Promise<DecodedImage> {
    const buffer = await file.arrayBuffer();
    return unpackImage(await this.#worker.api.decode(transfer(buffer, [buffer]), file.name));
  }

  dispose(): void {
    this.#worker.reset();
  }
}
