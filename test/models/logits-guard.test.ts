import { Tensor } from '@huggingface/transformers';
import { expect, it } from 'vitest';
import { GarbageLogitsError, LogitsGuard } from '../../src/lib/models/logits-guard';

const guard = () => new LogitsGuard('model', 'advice');
const step = (values: number[]) =>
  guard()._call([[0n]], new Tensor('float32', Float32Array.from(values), [1, values.length]));

it('lets through logits a generation-config processor banned with −Inf (forced_bos_token_id, no_repeat_ngram_size)', () => {
  // ForcedBOSTokenLogitsProcessor's first step: every token −Inf but <s>.
  expect(() => step([0, -Infinity, -Infinity, -Infinity])).not.toThrow();
  expect(() => step([1.5, -Infinity, 0.25, -2])).not.toThrow();
});

it('stops on NaN, +Inf, every token banned, or every allowed logit equal', () => {
  expect(() => step([0, Number.NaN, 1])).toThrow(/NaN logits at token 1/);
  expect(() => step([0, Infinity, 1])).toThrow(/infinite logits/);
  expect(() => step([-Infinity, -Infinity])).toThrow(/infinite logits/);
  expect(() => step([3, 3, -Infinity, 3])).toThrow(GarbageLogitsError);
  expect(() => step([3, 3, -Infinity, 3])).toThrow(/all-equal logits/);
});
