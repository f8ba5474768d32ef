import { LogitsProcessor, type Tensor } from '@huggingface/transformers';

/** Why a generation was stopped: its logits were NaN, infinite or all equal. */
export class GarbageLogitsError extends Error {}

/**
 * Stops generation on the first step whose logits are not usable numbers: NaN or +Inf (an fp16
 * residual stream that overflowed — Gemma 3 on WebGPU in fp16/q4f16, onnxruntime issue 26732),
 * or every allowed logit equal (nothing left to choose from). −Inf is a ban, not garbage: the
 * model's generation config applies its processors first, and forced_bos_token_id (Florence-2)
 * or no_repeat_ngram_size set −Inf on every token they rule out. `advice` says what to try.
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
    let allowed = 0;
    let bad: string | undefined;
    for (let i = 0; i < data.length && !bad; i++) {
      const v = data[i]!;
      if (Number.isNaN(v)) bad = 'NaN';
      else if (v === Infinity) bad = 'infinite';
      else if (v !== -Infinity) {
        allowed++;
        if (v < min) min = v;
        if (v > max) max = v;
      }
    }
    // No token left at all is garbage too (a processor never bans them all).
    if (!bad && allowed === 0) bad = 'infinite';
    if (!bad && allowed > 1 && max === min) bad = 'all-equal';
    this.#step++;
    if (bad) {
      throw new GarbageLogitsError(
        `${this.who} produced ${bad} logits at token ${this.#step}: generation stopped, the answer would be garbage. ${this.advice}`,
      );
    }
    return logits;
  }
}
