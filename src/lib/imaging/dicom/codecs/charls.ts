import factory from '@cornerstonejs/codec-charls/decodewasmjs';
import wasmUrl from '@cornerstonejs/codec-charls/decodewasm?url';
import { wasmDecoder, type CodecFactory } from './wasm-decoder';

export const decodeJpegLs = wasmDecoder(factory as CodecFactory, wasmUrl, 'JpegLSDecoder', 'JPEG-LS (CharLS)');
