import { florence2 } from './florence2';
import { medgemma } from './medgemma';
import { medrega } from './medrega';
import { paligemma } from './paligemma';
import { plainList } from './plain-list';
import { qwenvl } from './qwen-vl';
import { qwen2vl } from './qwen2-vl';
import { qwen25vl } from './qwen25-vl';
import { qwen3vl } from './qwen3-vl';
import type { BoxFormat } from './types';

/** Box syntaxes by the id a model's manifest entry names in `boxFormat`. */
export const BOX_FORMATS: Record<string, BoxFormat> = Object.fromEntries(
  [florence2, qwenvl, qwen2vl, qwen25vl, qwen3vl, medgemma, medrega, paligemma, plainList].map((f) => [f.id, f]),
);

export { inputCanvas } from './frame';
export type { BoxFormat, GroundedBox, ImageFrame, ImageSize } from './types';
