import { readFileSync } from 'node:fs';
import { PreTrainedTokenizer } from '@huggingface/transformers';
import { expect, it } from 'vitest';
import { answerStreamer } from '../../src/lib/models/vlm-session';
import { BOX_FORMATS } from '../../src/lib/grounding';

const fixture = new URL('../../models/test-medgemma-tiny/', import.meta.url);
const read = (name: string) => JSON.parse(readFileSync(new URL(name, fixture), 'utf8'));

/**
 * The fixture's character-level tokenizer with Qwen2-VL's grounding markers added as special
 * tokens, as Qwen2-VL's own tokenizer.json declares them (added_tokens, "special": true).
 */
function qwenLikeTokenizer(): PreTrainedTokenizer {
  const json = read('tokenizer.json');
  const markers = ['<|object_ref_start|>', '<|object_ref_end|>', '<|box_start|>', '<|box_end|>', '<|im_end|>'];
  let id = Object.keys(json.model.vocab).length;
  for (const content of markers) {
    json.model.vocab[content] = id;
    json.added_tokens.push({
      id: id++,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    });
  }
  return new PreTrainedTokenizer(json, read('tokenizer_config.json'));
}

it('keeps special-token box markers for the parser, and shows the text without them', () => {
  const tokenizer = qwenLikeTokenizer();
  const answer =
    'The lesion <|object_ref_start|>nodule<|object_ref_end|><|box_start|>(100,200),(300,400)<|box_end|> is round.<|im_end|>';
  const ids = tokenizer.encode(answer, { add_special_tokens: false });
  // Each marker is one token, as the model emits it.
  expect(ids).toContain(tokenizer.all_special_ids[tokenizer.all_special_tokens.indexOf('<|box_start|>')]);

  const streamed: { raw: string; text: string }[] = [];
  const streamer = answerStreamer(tokenizer, { onAnswer: (a) => streamed.push(a) });
  streamer.put([tokenizer.encode('Where?', { add_special_tokens: false }).map(BigInt)]); // the prompt: skipped
  for (const id of ids) streamer.put([[BigInt(id)]]);
  streamer.end();

  const last = streamed.at(-1)!;
  expect(last.raw).toBe(answer);
  expect(last.text).toBe('The lesion nodule(100,200),(300,400) is round.');
  const frame = { image: { width: 500, height: 250 }, padding: 'none' as const };
  expect(BOX_FORMATS['qwen2-vl']!.parse(last.raw, frame)).toEqual([
    { label: 'nodule', x0: 50, y0: 50, x1: 150, y1: 100 },
  ]);
  // While streaming, the box appears once its closing marker has arrived, and not before.
  const counts = streamed.map((a) => BOX_FORMATS['qwen2-vl']!.parse(a.raw, frame).length);
  const closed = streamed.findIndex((a) => a.raw.includes('<|box_end|>'));
  expect(counts.slice(0, closed).every((n) => n === 0)).toBe(true);
  expect(counts.slice(closed).every((n) => n === 1)).toBe(true);
});
