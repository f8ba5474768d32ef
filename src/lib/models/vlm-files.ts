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

/** The manifest's files one dtype needs: configs and tokenizer, and that variant's ONNX files. */
export function filesFor(model: VlmModel, dtype: string): ModelFile[] {
  return model.files.filter((f) => {
    const onnx = /^onnx\/[A-Za-z0-9_]+?(?:_([a-z0-9]+))?\.onnx(?:_data)?$/.exec(f.name);
    if (!onnx) return true;
    const suffix = onnx[1] && DTYPE_SUFFIXES.includes(onnx[1]) ? onnx[1] : 'fp32';
    return suffix === dtype;
  });
}
