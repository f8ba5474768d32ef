// The app's segmentation engine as bench:gpu runs it in Node: these are the modules the segment
// worker uses, bundled by build.mjs into bench/.cache/gpu/engine.mjs (onnxruntime-web stays an
// import, so the bench and the engine share one ORT).
export { SamSession, type Embedding } from '../../src/lib/models/sam-session';
export { chooseBackend, detectCapabilities } from '../../src/lib/models/backend';
export { samEncoderInput, encoderInputDims } from '../../src/lib/models/sam-preprocess';
export { decoderInputs } from '../../src/lib/models/sam-prompt';
