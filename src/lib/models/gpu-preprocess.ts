import * as ort from 'onnxruntime-web/webgpu';
import type { SegmentationModel } from './manifest';
import { IMAGENET_MEAN, IMAGENET_STD, inputFrameSize, type DisplayedImage } from './sam-preprocess';

/**
 * samEncoderInput's resize, normalisation and padding as a compute shader (same formulas, in
 * float32): per output pixel the area average of the source pixels it covers when shrinking,
 * half-pixel bilinear when enlarging, (v − mean) / std, zero outside the resized image; NCHW.
 */
const SHADER = /* wgsl */ `
struct Params { srcW: u32, srcH: u32, w: u32, h: u32, size: u32, area: u32, mean: vec4f, deviation: vec4f }
@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

fn texel(x: u32, y: u32) -> vec3f {
  let v = src[y * p.srcW + x];
  return vec3f(f32(v & 255u), f32((v >> 8u) & 255u), f32((v >> 16u) & 255u));
}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let x = id.x;
  let y = id.y;
  if (x >= p.size || y >= p.size) { return; }
  let plane = p.size * p.size;
  let o = y * p.size + x;
  var n = vec3f(0.0);
  if (x < p.w && y < p.h) {
    let sx = f32(p.srcW) / f32(p.w);
    let sy = f32(p.srcH) / f32(p.h);
    var rgb: vec3f;
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
      rgb = sum / area;
    } else {
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
      rgb = upper * (1.0 - ay) + lower * ay;
    }
    n = (rgb - p.mean.xyz) / p.deviation.xyz;
  }
  dst[o] = n.x;
  dst[plane + o] = n.y;
  dst[2u * plane + o] = n.z;
}`;

/** Entries whose encoder input the GPU makes: NCHW with ImageNet statistics (min-max needs the resized image's extremes first). */
export function gpuPreprocessable(model: Pick<SegmentationModel, 'preprocessing'>): boolean {
  const pre = model.preprocessing;
  return pre.resize !== 'canvas' && pre.layout !== 'hwc' && pre.normalize === 'imagenet';
}

/**
 * On WebGPU the encoder's input made on the GPU, in a buffer the encoder reads in place: the
 * image goes up as RGBA bytes (a 512² slice is 1 MiB, not a 12 MiB float tensor) and the resize
 * and normalisation that took a SAM ViT-B encode 47 of its 220 ms in JS on an H100 run in a
 * shader. An image whose bytes exceed a storage buffer's limit is left to the CPU path.
 */
export class GpuEncoderInput {
  #pipeline: GPUComputePipeline;
  #params: GPUBuffer;
  #output: GPUBuffer;
  #source: GPUBuffer | undefined;

  /** Undefined where the device will not build the shader (the CPU path is used then). */
  static async create(
    device: GPUDevice,
    model: Pick<SegmentationModel, 'inputSize' | 'preprocessing'>,
  ): Promise<GpuEncoderInput | undefined> {
    // A shader the device rejects raises no exception, only an error event, and its output
    // would be garbage: ask.
    device.pushErrorScope('validation');
    const module = device.createShaderModule({ code: SHADER });
    const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    const error = await device.popErrorScope();
    return error ? undefined : new GpuEncoderInput(device, model, pipeline);
  }

  private constructor(
    private readonly device: GPUDevice,
    private readonly model: Pick<SegmentationModel, 'inputSize' | 'preprocessing'>,
    pipeline: GPUComputePipeline,
  ) {
    this.#pipeline = pipeline;
    this.#params = device.createBuffer({ size: 64, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
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
    const params = new ArrayBuffer(64);
    new Uint32Array(params, 0, 6).set([
      image.width,
      image.height,
      w,
      h,
      size,
      image.width >= w && image.height >= h ? 1 : 0,
    ]);
    new Float32Array(params, 32, 8).set([...IMAGENET_MEAN, 0, ...IMAGENET_STD, 0]);
    const rgba = image.rgba;
    this.device.queue.writeBuffer(this.#source, 0, rgba.buffer, rgba.byteOffset, bytes);
    this.device.queue.writeBuffer(this.#params, 0, params);
    const bindGroup = this.device.createBindGroup({
      layout: this.#pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: this.#source, size: bytes } },
        { binding: 1, resource: { buffer: this.#output } },
        { binding: 2, resource: { buffer: this.#params } },
      ],
    });
    const encoder = this.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(this.#pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(Math.ceil(size / 8), Math.ceil(size / 8));
    pass.end();
    // The same queue as onnxruntime's: the encoder runs after this.
    this.device.queue.submit([encoder.finish()]);
    return ort.Tensor.fromGpuBuffer(this.#output, { dataType: 'float32', dims: [1, 3, size, size] });
  }

  destroy(): void {
    this.#source?.destroy();
    this.#params.destroy();
    this.#output.destroy();
  }
}
