import { expose, transfer } from 'comlink';
import { decodeFile } from '../src/lib/imaging/decode-file';
import type { DecodedImage } from '../src/lib/imaging/types';

const api = {
  /** Decodes one file; its frame buffers are transferred back, never copied. */
  async decode(buffer: ArrayBuffer, name: string): Promise<DecodedImage> {
    const image = await decodeFile(new Uint8Array(buffer), name);
    return transfer(
      image,
      image.frames.map((frame) => frame.buffer as ArrayBuffer),
    );
  },
};

export type DecodeApi = typeof api;

// Exposed only inside a worker, so tests can import the module and call `api` directly.
if ('WorkerGlobalScope' in globalThis) expose(api);

export default api;
