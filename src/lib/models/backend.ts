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
  crossOriginIsolated: boolean;
  cores: number;
}

/** The part of the WebGPU API this module reads (navigator.gpu exists in pages and workers). */
interface WebGpuNavigator {
  gpu?: { requestAdapter(): Promise<{ features: ReadonlySet<string> } | null> };
  hardwareConcurrency?: number;
}

/** Detects what this worker (or page) can run: a WebGPU adapter and its features, WASM threads. */
export async function detectCapabilities(): Promise<Capabilities> {
  const nav = (globalThis as { navigator?: WebGpuNavigator }).navigator;
  const gpu = nav?.gpu;
  let adapter: { features: ReadonlySet<string> } | null;
  try {
    adapter = gpu ? await gpu.requestAdapter() : null;
  } catch {
    adapter = null;
  }
  return {
    webgpu: !!adapter,
    shaderF16: !!adapter?.features.has('shader-f16'),
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    cores: nav?.hardwareConcurrency ?? 1,
  };
}

/**
 * WebGPU when an adapter exists, else WASM: with threads (SIMD is always on in ORT's build)
 * when cross-origin isolated, else single-threaded, since SharedArrayBuffer needs COOP/COEP.
 */
export function chooseBackend(caps: Capabilities, preference: BackendPreference): BackendInfo {
  const threads = caps.crossOriginIsolated ? Math.max(1, Math.min(4, caps.cores)) : 1;
  const wasmWhy = caps.crossOriginIsolated ? `${threads} threads` : '1 thread: page is not cross-origin isolated';
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
