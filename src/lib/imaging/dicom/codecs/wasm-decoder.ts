import { ImagingError } from '../../imaging-error';
import { runsInNode } from '../../../runs-in-node';

/** Shape shared by the @cornerstonejs/codec-* Emscripten decoders (libjpeg-turbo, CharLS, OpenJPEG). */
interface FrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
}
interface CodecDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): FrameInfo;
  getDecodedBuffer(): Uint8Array;
}
interface CodecModule {
  getExceptionMessage?: (pointer: number) => [string, string] | string;
  [className: string]: unknown;
}
export type CodecFactory = (options: {
  locateFile?: (file: string) => string;
  print?: (text: string) => void;
  printErr?: (text: string) => void;
}) => Promise<CodecModule>;

export interface DecodedCodecFrame {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  /** Samples, little-endian, interleaved; a copy that owns its buffer. */
  bytes: Uint8Array;
}

/**
 * Wraps one Emscripten codec: instantiated lazily, once, on first use. In a browser the .wasm
 * URL comes from the bundler; under Node the module finds the file beside itself. A decoder
 * that threw may hold broken state, so the cached instance is dropped and the next frame
 * starts afresh.
 */
export function wasmDecoder(factory: CodecFactory, wasmUrl: string, className: string, label: string) {
  let instance: Promise<{ module: CodecModule; decoder: CodecDecoder }> | undefined;

  function load() {
    const quiet = { print: () => {}, printErr: () => {} };
    const locate = runsInNode ? {} : { locateFile: (file: string) => (file.endsWith('.wasm') ? wasmUrl : file) };
    instance ??= factory({ ...quiet, ...locate }).then((module) => {
      const Decoder = module[className] as new () => CodecDecoder;
      return { module, decoder: new Decoder() };
    });
    instance.catch(() => (instance = undefined));
    return instance;
  }

  return async function decode(encoded: Uint8Array): Promise<DecodedCodecFrame> {
    const { module, decoder } = await load();
    try {
      decoder.getEncodedBuffer(encoded.length).set(encoded);
      decoder.decode();
      const info = decoder.getFrameInfo();
      return {
        width: info.width,
        height: info.height,
        bitsPerSample: info.bitsPerSample,
        componentCount: info.componentCount,
        bytes: decoder.getDecodedBuffer().slice(),
      };
    } catch (thrown) {
      instance = undefined;
      let reason = thrown instanceof Error ? thrown.message : String(thrown);
      if (typeof thrown === 'number' && module.getExceptionMessage) {
        const message = module.getExceptionMessage(thrown);
        reason = Array.isArray(message) ? message.join(': ') : message;
      }
      throw new ImagingError(`${label} decoder failed: ${reason}`);
    }
  };
}
