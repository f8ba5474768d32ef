import * as ort from 'onnxruntime-web/webgpu';
import type { SegmentationModel } from './manifest';
import { IMAGENET_MEAN, IMAGENET_STD, inputFrameSize, shrinks, type DisplayedImage } from './sam-preprocess';

/**
 * samEncoderInput's resize, normalisation and padding as compute shaders (same formulas, in
 * float32), NCHW: per output pixel the area average of the source pixels it covers when
 * shrinking, half-pixel bilinear when enlarging; then (v − mean) / std, or for min-max entries
 * (v − min) / (max − min) over the resized image, all channels together, which `resize` finds
 * (values are 0–255, so their float bits order as the floats do) and `stretch` applies; zero
 * outside the resized image.
 */
const SHADER = /* wgsl */ `
struct Params { srcW: u32, srcH: u32, w: u32, h: u32, size: u32, area: u32, minMax: u32, mean: vec4f, deviation: vec4f }
@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;
@group(0) @binding(3) var<storage, read_write> extremes: array<atomic<u32>, 2>;
var<workgroup> lo: atomic<u32>;
var<workgroup> hi: atomic<u32>;

fn texel(x: u32, y: u32) -> vec3f {
  let v = src[y * p.srcW + x];
  return vec3f(f32(v & 255u), f32((v >> 8u) & 255u), f32((v >> 16u) & 255u));
}

fn resized(x: u32, y: u32) -> vec3f {
  let sx = f32(p.srcW) / f32(p.w);
  let sy = f32(p.srcH) / f32(p.h);
  if (p.area == 1u) {
    let x0 = f32(x) * sx;
    let x1 = x0 + sx;
    let y0 = f32(y) * sy;
    let y1 = y0 + sy;
    var sum = vec3f(0.0);
    var area = 0.0;
    let rows = min(u32(ceil(y1)), p.srcH);
    let cols = min(u32(ceil(x1)), p.srcW);
    for (var py = u32(floor(y0)); py < rows; py++) {
      let wy = min(f32(py + 1u), y1) - max(f32(py), y0);
      for (var px = u32(floor(x0)); px < cols; px++) {
        let weight = wy * (min(f32(px + 1u), x1) - max(f32(px), x0));
        sum += texel(px, py) * weight;
        area += weight;
      }
    }
    return sum / area;
  }
  let fx = clamp((f32(x) + 0.5) * sx - 0.5, 0.0, f32(p.srcW - 1u));
  let fy = clamp((f32(y) + 0.5) * sy - 0.5, 0.0, f32(p.srcH - 1u));
  let xa = u32(floor(fx));
  let ya = u32(floor(fy));
  let xb = min(xa + 1u, p.srcW - 1u);
  let yb = min(ya + 1u, p.srcH - 1u);
  let ax = fx - f32(xa);
  let ay = fy - f32(ya);
  let upper = texel(xa, ya) * (1.0 - ax) + texel(xb, ya) * ax;
  let lower = texel(xa, yb) * (1.0 - ax) + texel(xb, yb) * ax;
  return upper * (1.0 - ay) + lower * ay;
}

@compute @workgroup_size(8, 8)
fn resize(@builtin(global_invocation_id) id: vec3u, @builtin(local_invocation_index) li: u32) {
  if (li == 0u) {
    atomicStore(&lo, 0xffffffffu);
    atomicStore(&hi, 0u);
  }
  workgroupBarrier();
  let inFrame = id.x < p.size && id.y < p.size;
  var n = vec3f(0.0);
  if (inFrame && id.x < p.w && id.y < p.h) {
    let rgb = resized(id.x, id.y);
    if (p.minMax == 1u) {
      n = rgb;
      atomicMin(&lo, bitcast<u32>(min(rgb.x, min(rgb.y, rgb.z))));
      atomicMax(&hi, bitcast<u32>(max(rgb.x, max(rgb.y, rgb.z))));
    } else {
      n = (rgb - p.mean.xyz) / p.deviation.xyz;
    }
  }
  if (inFrame) {
    let plane = p.size * p.size;
    let o = id.y * p.size + id.x;
    dst[o] = n.x;
    dst[plane + o] = n.y;
    dst[2u * plane + o] = n.z;
  }
  workgroupBarrier();
  if (li == 0u && p.minMax == 1u) {
    atomicMin(&extremes[0], atomicLoad(&lo));
    atomicMax(&extremes[1], atomicLoad(&hi));
  }
}

@compute @workgroup_size(8, 8)
fn stretch(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= p.w || id.y >= p.h) { return; }
  let low = bitcast<f32>(atomicLoad(&extremes[0]));
  let range = max(bitcast<f32>(atomicLoad(&extremes[1])) - low, 1e-8);
  let plane = p.size * p.size;
  let o = id.y * p.size + id.x;
  for (var c = 0u; c < 3u; c++) {
    dst[c * plane + o] = (dst[c * plane + o] - low) / range;
  }
}`;

/** Entries whose encoder input the GPU makes: NCHW, ImageNet or min-max statistics. */
export function gpuPreprocessable(model: Pick<SegmentationModel, 'preprocessing'>): boolean {
  const pre = model.preprocessing;
  return pre.resize !== 'canvas' && pre.layout !== 'hwc' && pre.normalize !== 'in-graph';
}

const STORAGE = (readOnly: boolean): GPUBindGroupLayoutEntry['buffer'] => ({
  type: readOnly ? 'read-only-storage' : 'storage',
});

/**
 * On WebGPU the encoder's input made on the GPU, in a buffer the encoder reads in place: the
 * image goes up as RGBA bytes (a 512² slice is 1 MiB, not a 12 MiB float tensor) and the resize
 * and normalisation that took a SAM ViT-B encode 47 of its 220 ms in JS on an H100 run in
 * shaders. An image whose bytes exceed a storage buffer's limit is left to the CPU path.
 */
export class GpuEncoderInput {
  #layout: GPUBindGroupLayout;
  #resize: GPUComputePipeline;
  #stretch: GPUComputePipeline;
  #params: GPUBuffer;
  #extremes: GPUBuffer;
  #output: GPUBuffer;
  #source: GPUBuffer | undefined;

  /** Undefined where the device will not build the shaders (the CPU path is used then). */
  static async create(
    device: GPUDevice,
    model: Pick<SegmentationModel, 'inputSize' | 'preprocessing'>,
  ): Promise<GpuEncoderInput | undefined> {
    // A shader the device rejects raises no exception, only an error event, and its output
    // would be garbage: ask.
    device.pushErrorScope('validation');
    const module = device.createShaderModule({ code: SHADER });
    const visibility = GPUShaderStage.COMPUTE;
    const layout = device.createBindGroupLayout({
      entries: [
        { binding: 0, visibility, buffer: STORAGE(true) },
        { binding: 1, visibility, buffer: STORAGE(false) },
        { binding: 2, visibility, buffer: { type: 'uniform' } },
        { binding: 3, visibility, buffer: STORAGE(false) },
      ],
    });
    const pipelineLayout = device.createPipelineLayout({ bindGroupLayouts: [layout] });
    const pipeline = (entryPoint: string) =>
      device.createComputePipeline({ layout: pipelineLayout, compute: { module, entryPoint } });
    const [resize, stretch] = [pipeline('resize'), pipeline('stretch')];
    const error = await device.popErrorScope();
    return error ? undefined : new GpuEncoderInput(device, model, layout, resize, stretch);
  }

  private constructor(
    private readonly device: GPUDevice,
    private readonly model: Pick<SegmentationModel, 'inputSize' | 'preprocessing'>,
    layout: GPUBindGroupLayout,
    resize: GPUComputePipeline,
    stretch: GPUComputePipeline,
  ) {
    this.#layout = layout;
    this.#resize = resize;
    this.#stretch = stretch;
    this.#params = device.createBuffer({ size: 64, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.#extremes = device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    const size = model.inputSize;
    this.#output = device.createBuffer({
      size: 3 * size * size * 4,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
  }

  /** The encoder input for `image`, or undefined where the CPU must make it. */
  tensorFor(image: DisplayedImage): ort.Tensor | undefined {
    const bytes = image.width * image.height * 4;
    const limits = this.device.limits;
    if (bytes > limits.maxStorageBufferBindingSize || bytes > limits.maxBufferSize) return undefined;
    if (!this.#source || this.#source.size < bytes) {
      this.#source?.destroy();
      this.#source = this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    }
    const size = this.model.inputSize;
    const { width: w, height: h } = inputFrameSize(image.width, image.height, this.model);
    const minMax = this.model.preprocessing.normalize === 'min-max';
    const params = new ArrayBuffer(64);
    const area = shrinks(image, w, h);
    new Uint32Array(params, 0, 7).set([image.width, image.height, w, h, size, area ? 1 : 0, minMax ? 1 : 0]);
    new Float32Array(params, 32, 8).set([...IMAGENET_MEAN, 0, ...IMAGENET_STD, 0]);
    const rgba = image.rgba;
    const queue = this.device.queue;
    queue.writeBuffer(this.#source, 0, rgba.buffer, rgba.byteOffset, bytes);
    queue.writeBuffer(this.#params, 0, params);
    queue.writeBuffer(this.#extremes, 0, new Uint32Array([0xffffffff, 0, 0, 0]));
    const bindGroup = this.device.createBindGroup({
      layout: this.#layout,
      entries: [
        { binding: 0, resource: { buffer: this.#source, size: bytes } },
        { binding: 1, resource: { buffer: this.#output } },
        { binding: 2, resource: { buffer: this.#params } },
        { binding: 3, resource: { buffer: this.#extremes } },
      ],
    });
    const encoder = this.device.createCommandEncoder();
    for (const pipeline of minMax ? [this.#resize, this.#stretch] : [this.#resize]) {
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(Math.ceil(size / 8), Math.ceil(size / 8));
      pass.end();
    }
    // The same queue as onnxruntime's: the encoder runs after this.
    queue.submit([encoder.finish()]);
    return ort.Tensor.fromGpuBuffer(this.#output, { dataType: 'float32', dims: [1, 3, size, size] });
  }

  destroy(): void {
    this.#source?.destroy();
    this.#params.destroy();
    this.#extremes.destroy();
    this.#output.destroy();
  }
}
