import { LogitsProcessor, type Tensor } from '@huggingface/transformers';

/** Why a generation was stopped: its logits were NaN, infinite or all equal. */
export class GarbageLogitsError extends Error {}

/**
 * Stops generation on the first step whose logits are not usable numbers: NaN or ±Inf (an fp16
 * residual stream that overflowed — Gemma 3 on WebGPU in fp16/q4f16, onnxruntime issue 26732),
 * or every logit equal (nothing left to choose from). `advice` says what to try instead.
 */
export class LogitsGuard extends LogitsProcessor {
  #step = 0;

  constructor(
    private readonly who: string,
    private readonly advice: string,
  ) {
    super();
  }

  override _call(_inputIds: bigint[][], logits: Tensor): Tensor {
    const data = logits.data as Float32Array;
    let min = Infinity;
    let max = -Infinity;
    let bad: string | undefined;
    for (let i = 0; i < data.length && !bad; i++) {
      const v = data[i]!;
      if (Number.isNaN(v)) bad = 'NaN';
      else if (!Number.isFinite(v)) bad = 'infinite';
      else if (v < min) min = v;
      if (v > max) max = v;
    }
    if (!bad && data.length > 1 && max === min) bad = 'all-equal';
    this.#step++;
    if (bad) {
      throw new GarbageLogitsError(
        `${this.who} produced ${bad} logits at token ${this.#step}: generation stopped, the answer would be garbage. ${this.advice}`,
      );
    }
    return logits;
  }
}
