import { expose, transfer } from 'comlink';
import type { BackendPreference } from '../src/lib/models/backend';
import type { SegmentationModel } from '../src/lib/models/manifest';
import type { FileProgress } from '../src/lib/models/model-files';
import type { DisplayedImage } from '../src/lib/models/sam-preprocess';
import type { SegmentPrompt } from '../src/lib/models/sam-prompt';
import {
  Segmenter,
  type DecodeResult,
  type PropagatedSlice,
  type PropagationRequest,
  type PropagationSlice,
} from '../src/lib/models/segmenter';

const segmenter = new Segmenter();

const api = {
  load(
    model: SegmentationModel,
    source: { baseUrl: string; picked?: Map<string, Uint8Array> },
    preference: BackendPreference,
    onProgress: (p: FileProgress) => void,
  ) {
    return segmenter.load(model, source, preference, onProgress);
  },
  cancelLoad() {
    segmenter.cancelLoad();
  },
  /** The displayed image's pixels are transferred in, not copied. */
  encode(key: string, image: DisplayedImage) {
    return segmenter.encode(key, image);
  },
  async decode(
    key: string,
    prompt: SegmentPrompt,
    size: { width: number; height: number },
    seq: number,
    refine: boolean,
  ): Promise<DecodeResult> {
    const result = await segmenter.decode(key, prompt, size, seq, refine);
    return result.stale ? result : transfer(result, [result.mask.buffer as ArrayBuffer]);
  },
  /**
   * Each mask goes back to the page as soon as it is decoded, as a transferred copy: the loop
   * still needs its own to prompt the next slice.
   */
  propagate(
    request: PropagationRequest,
    slice: (index: number) => Promise<PropagationSlice>,
    onSlice: (result: PropagatedSlice) => void,
  ) {
    return segmenter.propagate(request, slice, (result) => {
      const mask = result.mask.slice();
      onSlice(transfer({ ...result, mask }, [mask.buffer]));
    });
  },
  cancelPropagation() {
    segmenter.cancelPropagation();
  },
  stats() {
    return segmenter.stats();
  },
  dispose() {
    return segmenter.dispose();
  },
};

export type SegmentApi = typeof api;

if ('WorkerGlobalScope' in globalThis) expose(api);

export default api;
