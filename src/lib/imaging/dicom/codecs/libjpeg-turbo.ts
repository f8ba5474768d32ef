import factory from '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs';
import wasmUrl from '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasm?url';
import { wasmDecoder, type CodecFactory } from './wasm-decoder';

/** 8-bit JPEG (baseline, extended, progressive); YCbCr is converted to RGB by libjpeg-turbo. */
export const decodeJpeg8 = wasmDecoder(factory as CodecFactory, wasmUrl, 'JPEGDecoder', 'JPEG (libjpeg-turbo)');
