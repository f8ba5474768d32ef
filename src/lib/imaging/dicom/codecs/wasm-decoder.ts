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
  delete(): void;
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

/** What a codec printed that means the frame was not decoded (OpenJPEG reports failures only so). */
const FAILURE_LINE = /^\[ERROR\]/;

/**
 * Wraps one Emscripten codec. The module is instantiated lazily, once; each frame gets a
 * decoder object of its own, deleted afterwards, so no frame can return pixels that an earlier
 * one left behind. A frame counts as decoded only when the codec neither threw nor printed an
 * error, and handed back exactly width × height × components samples; anything else is an
 * ImagingError. In a browser the .wasm URL comes from the bundler; under Node the module
 * finds the file beside itself.
 */
export function wasmDecoder(factory: CodecFactory, wasmUrl: string, className: string, label: string) {
  let instance: Promise<CodecModule> | undefined;
  // What the codec prints during the current call (calls never overlap: decode is synchronous).
  let printed: string[] = [];

  function load() {
    const capture = { print: (text: string) => printed.push(text), printErr: (text: string) => printed.push(text) };
    const locate = runsInNode ? {} : { locateFile: (file: string) => (file.endsWith('.wasm') ? wasmUrl : file) };
    instance ??= factory({ ...capture, ...locate });
    instance.catch(() => (instance = undefined));
    return instance;
  }

  function reason(module: CodecModule, thrown: unknown): string {
    if (typeof thrown === 'number' && module.getExceptionMessage) {
      const message = module.getExceptionMessage(thrown);
      return Array.isArray(message) ? message.join(': ') : message;
    }
    if (thrown instanceof Error) return thrown.message;
    const said = printed.filter((line) => FAILURE_LINE.test(line));
    return said.length > 0 ? said.join('; ') : 'the stream is corrupt';
  }

  return async function decode(encoded: Uint8Array): Promise<DecodedCodecFrame> {
    const module = await load();
    const Decoder = module[className] as new () => CodecDecoder;
    const decoder = new Decoder();
    printed = [];
    try {
      decoder.getEncodedBuffer(encoded.length).set(encoded);
      decoder.decode();
      const failures = printed.filter((line) => FAILURE_LINE.test(line));
      if (failures.length > 0) throw new ImagingError(`${label}: ${failures.join('; ')}`);
      const info = decoder.getFrameInfo();
      const decoded = decoder.getDecodedBuffer();
      const expected = info.width * info.height * info.componentCount * Math.ceil(info.bitsPerSample / 8);
      if (!(expected > 0) || decoded.length !== expected) {
        throw new ImagingError(
          `${label} returned ${decoded.length} bytes for a ${info.width}×${info.height} frame of ` +
            `${info.componentCount} × ${info.bitsPerSample}-bit samples: the stream is corrupt`,
        );
      }
      const { width, height, bitsPerSample, componentCount } = info;
      return { width, height, bitsPerSample, componentCount, bytes: decoded.slice() };
    } catch (thrown) {
      if (thrown instanceof ImagingError) throw thrown;
      throw new ImagingError(`${label} could not decode the frame: ${reason(module, thrown)}`);
    } finally {
      decoder.delete();
    }
  };
}
