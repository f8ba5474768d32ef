import factory from '@cornerstonejs/codec-openjpeg/decodewasmjs';
import wasmUrl from '@cornerstonejs/codec-openjpeg/decodewasm?url';
import { wasmDecoder, type CodecFactory } from './wasm-decoder';

export const decodeJpeg2000 = wasmDecoder(factory as CodecFactory, wasmUrl, 'J2KDecoder', 'JPEG 2000 (OpenJPEG)');
