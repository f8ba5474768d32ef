import { displayName, type ModelFile, type VlmModel } from './manifest';

const DTYPE_SUFFIXES = ['fp16', 'q4f16', 'q4', 'q8', 'int8', 'uint8', 'bnb4', 'quantized'];

/**
 * Families whose fp16 exports overflow on WebGPU and answer garbage: Gemma 3's residual stream
 * (so MedGemma) exceeds fp16's range (onnxruntime issue 26732, open). They get fp32-compute
 * weights (q4) even where the adapter has shader-f16.
 */
const FP16_UNSAFE = ['gemma3'];

/** The best weight variant the device can run: fp16 variants need shader-f16 on WebGPU. */
export function chooseDtype(model: VlmModel, device: 'webgpu' | 'wasm' | 'cpu', shaderF16: boolean): string {
  const fp16 = device === 'webgpu' && shaderF16 && !FP16_UNSAFE.includes(model.family);
  const usable = model.dtypes.filter((d) => fp16 || !d.includes('16'));
  const dtype = usable[0];
  if (!dtype)
    throw new Error(`${displayName(model)} offers ${model.dtypes.join(', ')}, none of which runs without shader-f16`);
  return dtype;
}

/** Above this many parameters a model is not attempted on WASM: minutes per token and memory past a tab's reach. */
export const WASM_MAX_PARAMETERS = 3e9;

/** Refuses, with the reason, a backend that cannot run the model. */
export function checkBackend(model: VlmModel, device: 'webgpu' | 'wasm' | 'cpu'): void {
  if (device === 'wasm' && model.parameters > WASM_MAX_PARAMETERS) {
    const billions = (model.parameters / 1e9).toFixed(1);
    throw new Error(
      `${displayName(model)} has ${billions} billion parameters: too large to run on WASM (the limit is ${WASM_MAX_PARAMETERS / 1e9} billion). It needs a GPU with WebGPU.`,
    );
  }
}

/** The manifest's files one dtype needs: configs and tokenizer, and that variant's ONNX files. */
export function filesFor(model: VlmModel, dtype: string): ModelFile[] {
  return model.files.filter((f) => {
    // A graph, or one of its external-data shards (.onnx_data, .onnx_data_1, …).
    const onnx = /^onnx\/[A-Za-z0-9_]+?(?:_([a-z0-9]+))?\.onnx(?:_data(?:_\d+)?)?$/.exec(f.name);
    if (!onnx) return true;
    const suffix = onnx[1] && DTYPE_SUFFIXES.includes(onnx[1]) ? onnx[1] : 'fp32';
    return suffix === dtype;
  });
}
