export type BackendPreference = 'auto' | 'webgpu' | 'wasm';

export interface BackendInfo {
  /** The ONNX Runtime execution provider. */
  provider: 'webgpu' | 'wasm';
  /** WASM threads (1 unless the page is cross-origin isolated). */
  threads: number;
  /** Whether the adapter offers shader-f16, the condition for fp16 weights. */
  shaderF16: boolean;
  /** Said to the user next to the backend name. */
  reason: string;
}

export interface Capabilities {
  webgpu: boolean;
  shaderF16: boolean;
  /** The adapter's limit on one storage buffer binding (0 without an adapter). */
  maxStorageBufferBindingSize: number;
  crossOriginIsolated: boolean;
  cores: number;
}

/** The part of the WebGPU API this module reads (navigator.gpu exists in pages and workers). */
interface WebGpuAdapter {
  features: ReadonlySet<string>;
  limits: { maxStorageBufferBindingSize: number };
}
interface WebGpuNavigator {
  gpu?: { requestAdapter(): Promise<WebGpuAdapter | null> };
  hardwareConcurrency?: number;
}

/** Detects what this worker (or page) can run: a WebGPU adapter and its features, WASM threads. */
export async function detectCapabilities(): Promise<Capabilities> {
  const nav = (globalThis as { navigator?: WebGpuNavigator }).navigator;
  const gpu = nav?.gpu;
  let adapter: WebGpuAdapter | null;
  try {
    adapter = gpu ? await gpu.requestAdapter() : null;
  } catch {
    adapter = null;
  }
  return {
    webgpu: !!adapter,
    shaderF16: !!adapter?.features.has('shader-f16'),
    maxStorageBufferBindingSize: adapter?.limits.maxStorageBufferBindingSize ?? 0,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    cores: nav?.hardwareConcurrency ?? 1,
  };
}

const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;

/**
 * WebGPU when an adapter exists and can hold the model's largest tensor in one storage buffer,
 * else WASM: with threads (SIMD is always on in ORT's build) when cross-origin isolated, else
 * single-threaded, since SharedArrayBuffer needs COOP/COEP.
 */
export function chooseBackend(caps: Capabilities, preference: BackendPreference, largestTensorBytes = 0): BackendInfo {
  const threads = caps.crossOriginIsolated ? Math.max(1, Math.min(4, caps.cores)) : 1;
  const wasmWhy = caps.crossOriginIsolated ? `${threads} threads` : '1 thread: page is not cross-origin isolated';
  const tooLarge = caps.webgpu && largestTensorBytes > caps.maxStorageBufferBindingSize;
  if (preference !== 'wasm' && tooLarge) {
    const why = `its largest tensor (${mib(largestTensorBytes)}) exceeds this GPU's storage buffer limit (${mib(caps.maxStorageBufferBindingSize)}), where WebGPU would compute wrong results`;
    return { provider: 'wasm', threads, shaderF16: false, reason: `${why}; ${wasmWhy}` };
  }
  if (preference !== 'wasm' && caps.webgpu) {
    return {
      provider: 'webgpu',
      threads,
      shaderF16: caps.shaderF16,
      reason: caps.shaderF16 ? 'GPU adapter with shader-f16' : 'GPU adapter without shader-f16: fp32 only',
    };
  }
  const why = preference === 'wasm' ? 'chosen' : 'no WebGPU adapter';
  return { provider: 'wasm', threads, shaderF16: false, reason: `${why}; ${wasmWhy}` };
}

/**
 * The entry that can run here: an fp16 entry becomes its `withoutShaderF16` stand-in unless
 * WebGPU with shader-f16 will be used (an adapter whose buffers cannot hold the model's largest
 * tensor is not), with the sentence that tells the user so.
 */
export function runnableEntry<
  M extends {
    id: string;
    name: string;
    needsShaderF16?: boolean;
    withoutShaderF16?: string;
    encoder?: { largestTensorBytes?: number };
  },
>(model: M, models: readonly M[], caps: Capabilities, preference: BackendPreference): { model: M; notice?: string } {
  const backend = chooseBackend(caps, preference, model.encoder?.largestTensorBytes);
  if (!model.needsShaderF16 || backend.shaderF16) return { model };
  const standIn = models.find((m) => m.id === model.withoutShaderF16);
  const where = backend.provider === 'wasm' ? 'WASM' : 'this GPU (no shader-f16)';
  if (!standIn) throw new Error(`${model.name} needs WebGPU with shader-f16, which ${where} does not offer`);
  return {
    model: standIn,
    notice: `${model.name} needs WebGPU with shader-f16, which ${where} lacks: loading ${standIn.name} instead.`,
  };
}
