import * as ort from 'onnxruntime-web/webgpu';
import type { BackendInfo } from './backend';
import type { SegmentationModel } from './manifest';
import { contractMismatch } from './sam-contract-check';
import { canvasScale, encoderInputDims, samEncoderInput, type DisplayedImage } from './sam-preprocess';
import { binaryMask, canvasMask, lowResMask, promptTensors, type SegmentPrompt } from './sam-prompt';

export interface Embedding {
  data: Float32Array;
  dims: readonly number[];
  byteLength: number;
}

export interface DecodedMask {
  width: number;
  height: number;
  mask: Uint8Array;
  iou: number;
  /** Low-resolution logits, fed back as mask_input to refine the next prompt. */
  lowRes: Float32Array;
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
    const encoder = await ort.InferenceSession.create(files.encoder, options);
    let decoder: ort.InferenceSession | undefined;
    try {
      decoder = await ort.InferenceSession.create(files.decoder, options);
      const mismatch = contractMismatch(model, encoder.inputMetadata, decoder.inputMetadata);
      if (mismatch) throw new Error(`${model.name}: ${mismatch}. Its manifest entry does not describe this export.`);
      return new SamSession(model, encoder, decoder);
    } catch (error) {
      await Promise.all([encoder.release(), decoder?.release()]);
      throw error;
    }
  }

  async encode(image: DisplayedImage): Promise<Embedding> {
    const input = new ort.Tensor('float32', samEncoderInput(image, this.model), encoderInputDims(this.model));
    const outputs = await this.encoder.run({ [this.model.encoder.input]: input });
    const embedding = outputs[this.model.encoder.output];
    if (!embedding) throw new Error(`encoder has no output ${this.model.encoder.output}`);
    const data = (await embedding.getData()) as Float32Array;
    embedding.dispose();
    return { data, dims: embedding.dims, byteLength: data.byteLength };
  }

  async decode(
    embedding: Embedding,
    prompt: SegmentPrompt,
    width: number,
    height: number,
    previous?: Float32Array,
  ): Promise<DecodedMask> {
    const d = this.model.decoder;
    const { coords, labels, count } = promptTensors(prompt, width, height, this.model);
    // The decoder's frame: the original image, or samexporter's canvas (its orig_im_size).
    const canvas = this.model.preprocessing.resize === 'canvas' ? this.model.preprocessing.canvas! : undefined;
    const [frameHeight, frameWidth] = canvas ?? [height, width];
    const feeds: Record<string, ort.Tensor> = {
      [d.embeddings]: new ort.Tensor('float32', embedding.data, embedding.dims),
      [d.pointCoords]: new ort.Tensor('float32', coords, [1, count, 2]),
      [d.pointLabels]: new ort.Tensor('float32', labels, [1, count]),
      [d.origSize]:
        d.origSizeType === 'int64'
          ? new ort.Tensor('int64', BigInt64Array.from([BigInt(frameHeight), BigInt(frameWidth)]), [2])
          : new ort.Tensor('float32', Float32Array.from([frameHeight, frameWidth]), [2]),
    };
    if (d.maskInput && d.hasMaskInput) {
      const side = 4 * (embedding.dims[2] ?? 64); // SAM's mask input is 4× the embedding grid
      const ok = previous?.length === side * side;
      feeds[d.maskInput] = new ort.Tensor('float32', ok ? previous : new Float32Array(side * side), [1, 1, side, side]);
      feeds[d.hasMaskInput] = new ort.Tensor('float32', Float32Array.from([ok ? 1 : 0]), [1]);
    }
    const out = await this.decoder.run(feeds);
    const masks = out[d.masks];
    if (!masks || masks.dims.at(-1) !== frameWidth || masks.dims.at(-2) !== frameHeight) {
      throw new Error(`decoder output ${d.masks} is ${masks?.dims.join('×')}, expected …×${frameHeight}×${frameWidth}`);
    }
    // With several candidate masks (an export without --return-single-mask), token 0 comes
    // first: the one MedSAM was trained to use (multimask_output=False).
    const logits = ((await masks.getData()) as Float32Array).subarray(0, frameWidth * frameHeight);
    const iou = ((await out[d.iou]?.getData()) as Float32Array | undefined)?.[0] ?? Number.NaN;
    const lowTensor = out[d.lowResMasks];
    const side = lowTensor?.dims.at(-1) ?? 0;
    const lowRes = (((await lowTensor?.getData()) as Float32Array | undefined) ?? new Float32Array()).slice(
      0,
      side * side,
    );
    for (const tensor of Object.values(out)) tensor.dispose();
    const post = this.model.postprocess;
    const mask = canvas
      ? canvasMask(logits, canvas, canvasScale(width, height, canvas), width, height)
      : post?.mask === 'low-res-token-0'
        ? lowResMask(lowRes, side, width, height, post.threshold)
        : binaryMask(logits);
    return { width, height, mask, iou, lowRes };
  }

  async release(): Promise<void> {
    await Promise.all([this.encoder.release(), this.decoder.release()]);
  }
}
