import * as ort from 'onnxruntime-web/webgpu';
import type { BackendInfo } from './backend';
import { DecoderIo, runInMemory, type DecoderRun } from './decoder-io';
import { GpuEncoderInput, gpuPreprocessable } from './gpu-preprocess';
import type { SegmentationModel } from './manifest';
import { contractMismatch } from './sam-contract-check';
import { canvasScale, encoderInputDims, resizedSize, samEncoderInput, type DisplayedImage } from './sam-preprocess';
import {
  binaryMask,
  canvasMask,
  decoderFrame,
  decoderInputs,
  lowResMask,
  paddedLowResMask,
  type SegmentPrompt,
} from './sam-prompt';

/**
 * An image embedding, where the encoder left it: in a GPU buffer on WebGPU (the decoder reads it
 * there; nothing crosses the bus per prompt), in memory on WASM. `release` frees it.
 */
export interface Embedding {
  tensor: ort.Tensor;
  /** transformers.js' layout: the positional embeddings, which its decoder takes too. */
  positional?: ort.Tensor;
  dims: readonly number[];
  byteLength: number;
  release(): void;
}

/** What one decode moved between CPU and GPU: the inputs held in memory went up, the outputs came back. */
export interface Transfer {
  uploaded: string[];
  upload: number;
  downloaded: string[];
  download: number;
}

/** On WASM everything stays in the CPU's memory. */
export const NO_TRANSFER: Readonly<Transfer> = Object.freeze({ uploaded: [], upload: 0, downloaded: [], download: 0 });

const float32Bytes = (dims: readonly number[]) => dims.reduce((n, d) => n * d, 4);

function transferOf(
  feeds: Record<string, ort.Tensor>,
  uploaded: string[],
  downloaded: string[],
  dims: Record<string, readonly number[]>,
): Transfer {
  return {
    uploaded,
    upload: uploaded.reduce((n, name) => n + (feeds[name]!.data as ArrayBufferView).byteLength, 0),
    downloaded,
    download: downloaded.reduce((n, name) => n + float32Bytes(dims[name]!), 0),
  };
}

export interface DecodedMask {
  width: number;
  height: number;
  mask: Uint8Array;
  iou: number;
  /** Low-resolution logits, fed back as mask_input to refine the next prompt. */
  lowRes: Float32Array;
  /** NO_TRANSFER on WASM. */
  transfer: Readonly<Transfer>;
}

function allFinite(values: Float32Array): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return false;
  return true;
}

/**
 * An encoder and a prompt decoder of one SAM-family model in ONNX Runtime Web, with the tensor
 * names and preprocessing taken from the model's manifest entry.
 */
export class SamSession {
  private constructor(
    readonly model: SegmentationModel,
    private encoder: ort.InferenceSession,
    private decoder: ort.InferenceSession,
    /** On WebGPU: the decoder's own input buffers and the one readback of its outputs. */
    private io: DecoderIo | undefined,
    /** On WebGPU, for entries whose preprocessing the GPU can do: the encoder input made there. */
    private gpuInput: GpuEncoderInput | undefined,
  ) {}

  static async create(
    model: SegmentationModel,
    files: { encoder: Uint8Array; decoder: Uint8Array },
    backend: BackendInfo,
  ): Promise<SamSession> {
    // numThreads is global to ORT and read when the WASM module starts: the first session wins.
    ort.env.wasm.numThreads = backend.threads;
    const options: ort.InferenceSession.SessionOptions = {
      executionProviders: [backend.provider],
      graphOptimizationLevel: 'all',
    };
    const onGpu = backend.provider === 'webgpu';
    // The embedding stays in the GPU buffer the encoder wrote, for the decoder to read in place.
    const encoder = await ort.InferenceSession.create(files.encoder, {
      ...options,
      ...(onGpu
        ? {
            preferredOutputLocation: Object.fromEntries(
              [model.encoder.output, model.encoder.positional].flatMap((name) => (name ? [[name, 'gpu-buffer']] : [])),
            ) as Record<string, 'gpu-buffer'>,
          }
        : {}),
    });
    let decoder: ort.InferenceSession | undefined;
    try {
      // Its outputs stay on the GPU until DecoderIo reads the ones drawn back in one go.
      decoder = await ort.InferenceSession.create(files.decoder, {
        ...options,
        ...(onGpu ? { preferredOutputLocation: 'gpu-buffer' as const } : {}),
      });
      const mismatch = contractMismatch(model, encoder.inputMetadata, decoder.inputMetadata);
      if (mismatch) throw new Error(`${model.name}: ${mismatch}. Its manifest entry does not describe this export.`);
      const device = onGpu ? await ort.env.webgpu.device : undefined;
      return new SamSession(
        model,
        encoder,
        decoder,
        device && new DecoderIo(device),
        device && gpuPreprocessable(model) ? await GpuEncoderInput.create(device, model) : undefined,
      );
    } catch (error) {
      await Promise.all([encoder.release(), decoder?.release()]);
      throw error;
    }
  }

  /** Whether the encoder input is made on the GPU (gpu-preprocess.ts) rather than in JS. */
  get preprocessesOnGpu(): boolean {
    return this.gpuInput !== undefined;
  }

  async encode(image: DisplayedImage): Promise<Embedding> {
    const e = this.model.encoder;
    const input =
      this.gpuInput?.tensorFor(image) ??
      new ort.Tensor('float32', samEncoderInput(image, this.model), encoderInputDims(this.model));
    const outputs = await this.encoder.run({ [e.input]: input });
    const tensor = outputs[e.output];
    const positional = e.positional ? outputs[e.positional] : undefined;
    if (!tensor || (e.positional && !positional))
      throw new Error(`encoder has no output ${e.output} or ${e.positional}`);
    for (const [name, other] of Object.entries(outputs))
      if (name !== e.output && name !== e.positional) other.dispose();
    const kept = positional ? [tensor, positional] : [tensor];
    if (this.model.needsShaderF16 && !allFinite((await tensor.getData()) as Float32Array)) {
      kept.forEach((t) => t.dispose());
      // float16 tops out at 65504: an activation past it becomes ∞, then NaN, and the masks
      // built on it are wrong without any error from the runtime (as Gemma 3 in fp16).
      throw new Error(
        `${this.model.name} overflowed float16 on this image: its image embedding holds NaN or infinite values`,
      );
    }
    return {
      tensor,
      ...(positional ? { positional } : {}),
      dims: tensor.dims,
      byteLength: kept.reduce((n, t) => n + float32Bytes(t.dims), 0),
      release: () => kept.forEach((t) => t.dispose()),
    };
  }

  async decode(
    embedding: Embedding,
    prompt: SegmentPrompt,
    width: number,
    height: number,
    previous?: Float32Array,
  ): Promise<DecodedMask> {
    const d = this.model.decoder;
    const canvas = this.model.preprocessing.resize === 'canvas' ? this.model.preprocessing.canvas! : undefined;
    const { width: frameWidth, height: frameHeight } = decoderFrame(this.model, width, height);
    // SAM's mask input is 4× the embedding grid.
    const inputs = decoderInputs(this.model, prompt, width, height, 4 * (embedding.dims[2] ?? 64), previous);
    const feeds: Record<string, ort.Tensor> = { [d.embeddings]: embedding.tensor };
    if (d.positionalEmbeddings) feeds[d.positionalEmbeddings] = embedding.positional!;
    for (const [name, x] of Object.entries(inputs)) {
      feeds[name] =
        x.type === 'int64' ? new ort.Tensor('int64', x.data, x.dims) : new ort.Tensor('float32', x.data, x.dims);
    }
    const post = this.model.postprocess;
    // Where the entry allows it only the 256² low-res logits come back, not a full-size float mask
    // (1 MiB for a 512² image, 60 MB for a mammogram): the decoder's own postprocessing is redone
    // here (paddedLowResMask, checked against the exported graphs' `masks`).
    const bestIou = post?.mask === 'best-iou';
    const fromLowRes = bestIou || this.model.masksFromLowRes === true;
    const lowResOnly = fromLowRes || (!canvas && post?.mask === 'low-res-token-0');
    const fetches = [lowResOnly ? undefined : d.masks, d.iou, d.lowResMasks].filter((n): n is string => !!n);
    const {
      dims,
      values,
      written = [],
    }: DecoderRun = this.io
      ? await this.io.run(this.decoder, feeds, fetches, `${frameWidth}×${frameHeight}`)
      : await runInMemory(this.decoder, feeds, fetches);
    const scores = values[d.iou] ?? new Float32Array([Number.NaN]);
    // transformers.js' layout returns three candidates: the one its IoU head rates best (the
    // first when the scores are not numbers).
    const k = bestIou ? Math.max(0, scores.indexOf(Math.max(...scores))) : 0;
    const iou = scores[k] ?? Number.NaN;
    const side = dims[d.lowResMasks]?.at(-1) ?? 0;
    const lowRes = (values[d.lowResMasks] ?? new Float32Array()).slice(k * side * side, (k + 1) * side * side);
    let mask: Uint8Array;
    if (fromLowRes) {
      const resized = resizedSize(width, height, this.model.inputSize);
      mask = paddedLowResMask(lowRes, side, resized, this.model.inputSize, width, height);
    } else if (lowResOnly) {
      mask = lowResMask(lowRes, side, width, height, post!.threshold);
    } else {
      const masks = dims[d.masks!];
      if (!masks || masks.at(-1) !== frameWidth || masks.at(-2) !== frameHeight) {
        throw new Error(`decoder output ${d.masks} is ${masks?.join('×')}, expected …×${frameHeight}×${frameWidth}`);
      }
      // With several candidate masks (an export without --return-single-mask), token 0 comes
      // first: the one MedSAM was trained to use (multimask_output=False).
      const logits = values[d.masks!]!.subarray(0, frameWidth * frameHeight);
      mask = canvas
        ? canvasMask(logits, canvas, canvasScale(width, height, canvas), width, height)
        : binaryMask(logits);
    }
    const transfer = this.io ? transferOf(feeds, written, fetches, dims) : NO_TRANSFER;
    return { width, height, mask, iou, lowRes, transfer };
  }

  async release(): Promise<void> {
    this.io?.destroy();
    this.gpuInput?.destroy();
    await Promise.all([this.encoder.release(), this.decoder.release()]);
  }
}
