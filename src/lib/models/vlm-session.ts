import {
  AutoModelForImageTextToText,
  AutoProcessor,
  env,
  InterruptableStoppingCriteria,
  RawImage,
  TextStreamer,
  type PreTrainedModel,
  type PreTrainedTokenizer,
  type Processor,
} from '@huggingface/transformers';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import { detectCapabilities, type BackendPreference } from './backend';
import { displayName, type VlmModel } from './manifest';
import { checkBackend, chooseDtype, filesFor } from './vlm-files';
import { LogitsGuard } from './logits-guard';
import { loadModelFile, ModelFileError, openModelCache } from './model-files';
import type { DisplayedImage } from './sam-preprocess';
import { padImage } from './vlm-image';
import type { ImageSize } from '../grounding';
import { runsInNode } from '../runs-in-node';

export interface VlmLoadResult {
  device: 'webgpu' | 'wasm' | 'cpu';
  dtype: string;
  reason: string;
  model: string;
}

export interface ChatTurn {
  role: 'user' | 'assistant';
  text: string;
}

export interface GenerateRequest {
  image: DisplayedImage;
  system: string;
  history: ChatTurn[];
  question: string;
}

/**
 * An answer as decoded so far: `raw` keeps special tokens (Qwen2-VL's box markers are special
 * tokens; the parsers read this), `text` is what a user reads, without them. `input` is the size
 * the processor resized the image to (the frame some families answer in).
 */
export interface StreamedAnswer {
  raw: string;
  text: string;
  input?: ImageSize;
}

export interface GenerateResult extends StreamedAnswer {
  /** The exact prompt the model received (chat template applied, history included). */
  prompt: string;
  tokens: number;
  ms: number;
  firstTokenMs: number;
  stopped: boolean;
}

/**
 * transformers.js gets every file from memory: our loader fetched it from models/<id>/ beside
 * the app (or Cache Storage), with progress, size and sha256 checks. A custom cache hands the
 * bytes over under the paths transformers.js asks for, so it never reaches the network, a hub
 * included.
 */
const CHECKED_ONLY = 'medlens-checked-files://';

function configure(files: Map<string, Uint8Array>): void {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  // Not the model folder itself: transformers.js would fetch a file the checked loader did not
  // bring straight from there. Under this path nothing can be fetched, so such a file is
  // missing for it (optional ones are skipped, required ones fail loudly); the cache below is
  // asked first and holds every checked file.
  env.localModelPath = CHECKED_ONLY;
  env.useBrowserCache = false;
  env.useFSCache = false;
  env.useCustomCache = true;
  env.customCache = {
    async match(request: RequestInfo | URL) {
      // Asked under the local path, or under a hub-style key (<id>/resolve/main/<file>).
      const key = String(request instanceof Request ? request.url : request).replace('/resolve/main/', '/');
      const bytes = [...files].find(([path]) => key.endsWith(path))?.[1];
      return (
        bytes && new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { 'content-length': String(bytes.length) } })
      );
    },
    async put() {},
  };
  // One ORT WASM for the app: the file Vite bundled for onnxruntime-web, never a CDN.
  if (!runsInNode && env.backends.onnx.wasm) env.backends.onnx.wasm.wasmPaths = { wasm: ortWasmUrl };
}

/**
 * A regular expression source matching any one special token (longest first, so
 * `<|object_ref_start|>` is not read as a shorter token), or nothing when there are none.
 */
function anySpecial(specials: readonly string[]): string {
  const escaped = specials
    .filter((t) => t.length > 0)
    .sort((a, b) => b.length - a.length)
    .map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return escaped.length > 0 ? escaped.join('|') : '(?!)';
}

/**
 * Streams the generated answer (the prompt skipped) as `raw`, decoded with special tokens kept —
 * Qwen2-VL's `<|box_start|>` and kin are special tokens, and dropping them leaves nothing to
 * parse — and as `text`, the same without them, for reading. The streamer hands a special token
 * over as a chunk of its own, so each chunk is cleaned once as it arrives.
 */
export function answerStreamer(
  tokenizer: PreTrainedTokenizer,
  on: { onAnswer: (answer: { raw: string; text: string }) => void; onToken?: () => void },
): TextStreamer {
  const special = new RegExp(anySpecial(tokenizer.all_special_tokens), 'g');
  let raw = '';
  let text = '';
  return new TextStreamer(tokenizer, {
    skip_prompt: true,
    skip_special_tokens: false,
    callback_function: (chunk: string) => {
      raw += chunk;
      text += chunk.replace(special, '');
      on.onAnswer({ raw, text: text.trim() });
    },
    token_callback_function: () => on.onToken?.(),
  });
}

/** The image as the processor resized it, from its `reshaped_input_sizes` ([height, width]). */
function processedSize(inputs: Record<string, unknown>): ImageSize | undefined {
  const sizes = inputs.reshaped_input_sizes as [number, number][] | undefined;
  const [height, width] = sizes?.[0] ?? [];
  return height && width ? { width, height } : undefined;
}

/** A vision-language model loaded with transformers.js: streams answers about one image. */
export class VlmSession {
  #stopper = new InterruptableStoppingCriteria();

  private constructor(
    readonly model: VlmModel,
    private processor: Processor,
    private network: PreTrainedModel,
    private device: VlmLoadResult['device'],
    private dtype: string,
  ) {}

  static async create(
    model: VlmModel,
    baseUrl: string,
    preference: BackendPreference,
    onProgress: (p: { file: string; loaded: number; total: number }) => void,
  ): Promise<{ session: VlmSession; info: VlmLoadResult }> {
    const caps = await detectCapabilities();
    const device: VlmLoadResult['device'] = runsInNode
      ? 'cpu'
      : preference !== 'wasm' && caps.webgpu
        ? 'webgpu'
        : 'wasm';
    checkBackend(model, device);
    const dtype = chooseDtype(model, device, caps.shaderF16);
    const cache = await openModelCache();
    const files = new Map<string, Uint8Array>();
    for (const file of filesFor(model, dtype)) {
      try {
        const loaded = await loadModelFile(model, file, baseUrl, {
          cache,
          onProgress: (p) => onProgress({ file: p.file, loaded: p.loaded, total: p.total ?? 0 }),
        });
        files.set(`${model.id}/${file.name}`, loaded.bytes);
      } catch (error) {
        // An unpinned entry's file list is a best guess at the export's layout: a missing
        // config file is left for transformers.js to do without (or to name, if it needs it).
        const optional = file.sha256 === null && !file.name.startsWith('onnx/');
        if (!(optional && error instanceof ModelFileError)) throw error;
      }
    }
    configure(files);
    const processor = await AutoProcessor.from_pretrained(model.id);
    const network = await AutoModelForImageTextToText.from_pretrained(model.id, { device, dtype: dtype as 'fp32' });
    const reason =
      device === 'cpu'
        ? 'Node (onnxruntime-node)'
        : device === 'webgpu'
          ? caps.shaderF16
            ? 'GPU adapter with shader-f16'
            : 'GPU adapter without shader-f16'
          : preference === 'wasm'
            ? 'chosen'
            : 'no WebGPU adapter';
    return {
      session: new VlmSession(model, processor, network, device, dtype),
      info: { device, dtype, reason, model: displayName(model) },
    };
  }

  /**
   * Answers `question` about the displayed image, after the earlier turns; `onText` receives
   * the answer as it streams. `stop()` ends generation early (not an error). The image is
   * prepared as the manifest says the family was evaluated (centred on a square for MedGemma).
   * A task-prompted model (Florence-2) gets the question alone: no system prompt, no history.
   */
  async generate(
    { image, system, history, question }: GenerateRequest,
    onText: (answer: StreamedAnswer) => void,
  ): Promise<GenerateResult> {
    this.#stopper.reset();
    const prepared = padImage(image, this.model.imagePadding);
    const pixels = new RawImage(new Uint8ClampedArray(prepared.rgba), prepared.width, prepared.height, 4).rgb();
    const { prompt, inputs } = this.model.tasks
      ? await this.#taskInputs(pixels, question)
      : await this.#chatInputs(pixels, { system, history, question });
    const input = processedSize(inputs);
    const start = performance.now();
    let firstTokenMs = 0;
    let tokens = 0;
    let answer = { raw: '', text: '' };
    const streamer = answerStreamer(this.processor.tokenizer!, {
      onAnswer: (streamed) => {
        answer = streamed;
        onText({ ...streamed, input });
      },
      onToken: () => {
        if (tokens++ === 0) firstTokenMs = performance.now() - start;
      },
    });
    await this.network.generate({
      ...inputs,
      max_new_tokens: 512,
      // Greedy, one sequence, streamed: Florence-2's generation config asks for 3 beams.
      do_sample: false,
      num_beams: 1,
      streamer,
      stopping_criteria: this.#stopper,
      logits_processor: [new LogitsGuard(`${displayName(this.model)} (${this.device}, ${this.dtype})`, this.#advice())],
    } as never);
    return {
      ...answer,
      input,
      prompt,
      tokens,
      ms: performance.now() - start,
      firstTokenMs,
      stopped: this.#stopper.interrupted,
    };
  }

  /** A conversation: the chat template over the earlier turns, the image in the first. */
  async #chatInputs(pixels: RawImage, { system, history, question }: Omit<GenerateRequest, 'image'>) {
    // An earlier answer as the model wrote it (box markers kept), less its end-of-turn token(s).
    const trailing = new RegExp(`(?:${anySpecial(this.processor.tokenizer!.all_special_tokens)}|\\s)+$`);
    const messages = [
      ...history.map((turn, i) => {
        const text = turn.role === 'assistant' ? turn.text.replace(trailing, '') : turn.text;
        return {
          role: turn.role,
          content:
            i === 0 ? [{ type: 'image' }, { type: 'text', text: `${system}\n\n${text}` }] : [{ type: 'text', text }],
        };
      }),
    ];
    const first = messages.length === 0;
    messages.push({
      role: 'user',
      content: first
        ? [{ type: 'image' }, { type: 'text', text: `${system}\n\n${question}` }]
        : [{ type: 'text', text: question }],
    });
    const prompt = this.processor.apply_chat_template(messages as never, { add_generation_prompt: true }) as string;
    return { prompt, inputs: await this.processor(prompt, pixels) };
  }

  /**
   * A task (Florence-2): the question is the task token and its input, which the processor
   * turns into the model's prompt (its construct_prompts); nothing else is sent.
   */
  async #taskInputs(pixels: RawImage, question: string) {
    const processor = this.processor as Processor & { construct_prompts(text: string): string[] };
    const [prompt = question] = processor.construct_prompts(question);
    // Florence2Processor takes the images first (processing_florence2.js).
    return { prompt, inputs: await this.processor(pixels, question) };
  }

  /** What to try when this model's logits turn to garbage: the dtypes that compute in fp32, or WASM. */
  #advice(): string {
    const safe = this.model.dtypes.filter((d) => d !== this.dtype && !d.includes('16'));
    if (safe.length > 0) return `Load it with ${safe.join(' or ')} weights (fp32 arithmetic).`;
    return this.device === 'webgpu' ? 'Load it on WASM instead.' : 'This model cannot be run here.';
  }

  stop(): void {
    this.#stopper.interrupt();
  }

  async dispose(): Promise<void> {
    await this.network.dispose();
  }
}
