/**
 * True under Node (unit tests, benches), false in pages and workers: WASM and ONNX Runtime
 * find their files differently there (the file system, onnxruntime-node).
 */
export const runsInNode =
  typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';
