import { expose, transfer } from 'comlink';
import { decodeFile } from '../src/lib/imaging/decode-file';
import { packImage, type PackedImage } from '../src/lib/imaging/frame-pack';

const api = {
  /** Decodes one file; its frames go back in one transferred buffer (unpackImage reads it). */
  async decode(buffer: ArrayBuffer, name: string): Promise<PackedImage> {
    const packed = packImage(await decodeFile(new Uint8Array(buffer), name));
    return transfer(packed, [packed.frames.buffer]);
  },
};

export type DecodeApi = typeof api;

// Exposed only inside a worker, so tests can import the module and call `api` directly.
if ('WorkerGlobalScope' in globalThis) expose(api);

export default api;
