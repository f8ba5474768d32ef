// Dawn's WebGPU (the `webgpu` package) as navigator.gpu in Node, the way onnxruntime-web
// finds it in a page: for bench:gpu (measure.mjs) and the tests that run the engine on lavapipe.
import os from 'node:os';

/** GPU traffic, counted where Dawn sees it (independent of the engine's own count). */
const gpuCount = { dispatches: 0, written: 0, mappedForRead: 0 };

/**
 * Runs `run` and returns its result with what Dawn counted meanwhile.
 * @template T
 * @param {() => Promise<T>} run
 * @returns {Promise<{ result: T; counts: typeof gpuCount }>}
 */
export async function counted(run) {
  const before = { ...gpuCount };
  const result = await run();
  const counts = { dispatches: 0, written: 0, mappedForRead: 0 };
  for (const k of /** @type {(keyof typeof gpuCount)[]} */ (Object.keys(counts))) counts[k] = gpuCount[k] - before[k];
  return { result, counts };
}

/**
 * Installs Dawn's WebGPU globals and a navigator whose gpu is Dawn (over Vulkan by default).
 * @param {string[]} flags Dawn's toggles, e.g. backend=vulkan
 * @returns {Promise<{ gpu: any; why: string }>} the GPU, or why there is none
 */
export async function installDawn(flags = ['backend=vulkan']) {
  let gpu;
  let why = '';
  try {
    const { create, globals } = await import('webgpu');
    Object.assign(globalThis, globals);
    instrument(globals);
    gpu = create(flags);
  } catch (error) {
    why = `the webgpu package did not load (${String(error).split('\n')[0]})`;
  }
  Object.defineProperty(globalThis, 'navigator', {
    value: { gpu, hardwareConcurrency: os.availableParallelism(), userAgent: `Node.js/${process.version}` },
    configurable: true,
  });
  return { gpu, why };
}

/**
 * Counts compute dispatches, bytes written into GPU buffers and bytes mapped for reading; and
 * copies views of shared memory (ORT's threaded WASM heap) before they reach dawn.node, which
 * rejects them where Chrome accepts them.
 */
function instrument(globals) {
  const shared = (d) => (ArrayBuffer.isView(d) ? d.buffer : d) instanceof SharedArrayBuffer;
  const queue = globals.GPUQueue.prototype;
  const writeBuffer = queue.writeBuffer;
  queue.writeBuffer = function (buffer, offset, data, dataOffset = 0, size) {
    // dataOffset and size count a typed array's elements, an ArrayBuffer's bytes
    const view = ArrayBuffer.isView(data);
    const unit = view ? (/** @type {any} */ (data).BYTES_PER_ELEMENT ?? 1) : 1;
    const bytes = (size ?? data.byteLength / unit - dataOffset) * unit;
    gpuCount.written += bytes;
    if (!shared(data)) return writeBuffer.call(this, buffer, offset, data, dataOffset, size);
    const start = (view ? data.byteOffset : 0) + dataOffset * unit;
    return writeBuffer.call(
      this,
      buffer,
      offset,
      new Uint8Array(view ? data.buffer : data).slice(start, start + bytes),
    );
  };
  const pass = globals.GPUComputePassEncoder.prototype;
  const dispatch = pass.dispatchWorkgroups;
  pass.dispatchWorkgroups = function (...args) {
    gpuCount.dispatches++;
    return dispatch.apply(this, args);
  };
  const setBindGroup = pass.setBindGroup;
  pass.setBindGroup = function (index, group, offsets, start, length) {
    if (offsets === undefined || !shared(offsets)) return setBindGroup.call(this, index, group, offsets, start, length);
    const from = start ?? 0;
    return setBindGroup.call(
      this,
      index,
      group,
      Array.from(offsets.subarray(from, from + (length ?? offsets.length - from))),
    );
  };
  const buffer = globals.GPUBuffer.prototype;
  const mapAsync = buffer.mapAsync;
  buffer.mapAsync = function (mode, offset = 0, size) {
    if (mode & globals.GPUMapMode.READ) gpuCount.mappedForRead += size ?? this.size - offset;
    if (mode & globals.GPUMapMode.WRITE) gpuCount.written += size ?? this.size - offset;
    return mapAsync.call(this, mode, offset, size);
  };
  // ORT uploads a CPU tensor through a staging buffer mapped at creation, not writeBuffer.
  const device = globals.GPUDevice.prototype;
  const createBuffer = device.createBuffer;
  device.createBuffer = function (descriptor) {
    if (descriptor.mappedAtCreation) gpuCount.written += descriptor.size;
    return createBuffer.call(this, descriptor);
  };
}
