import { BOX_FORMATS, type GroundedBox, type ImageSize } from '../grounding';
import type { VlmModel } from './manifest';
import type { StreamedAnswer } from './vlm-session';

/**
 * The boxes an answer names, in pixels of the image asked about: read in the model's box
 * syntax, undoing the padding the worker applied for its family and the processor's resize.
 * None when the syntax is not one we read.
 */
export function answerBoxes(
  model: Pick<VlmModel, 'boxFormat' | 'imagePadding'>,
  answer: Pick<StreamedAnswer, 'raw' | 'input'>,
  image: ImageSize,
  question: string,
): GroundedBox[] {
  const format = BOX_FORMATS[model.boxFormat];
  const frame = { image, padding: model.imagePadding, ...(answer.input ? { input: answer.input } : {}) };
  return format?.parse(answer.raw, frame, question) ?? [];
}
