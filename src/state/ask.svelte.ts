import { BOX_FORMATS, type GroundedBox } from '../lib/grounding';
import { answerBoxes } from '../lib/models/answer-boxes';
import type { BackendPreference } from '../lib/models/backend';
import { displayName, modelSha256, type ModelEntry, type VlmModel } from '../lib/models/manifest';
import type { Provenance } from '../lib/overlays/overlay-layer';
import type { ChatTurn, StreamedAnswer, VlmLoadResult } from '../lib/models/vlm-session';
import type { VlmClient } from '../services/vlm-client';
import type { SegmentationState } from './segmentation.svelte';
import type { Rendering, ViewerState } from './viewer.svelte';

export const ASK_PRESETS = {
  describe: 'Describe this image.',
  report: 'Write the findings and the impression of this study as a short radiology report.',
  'yes/no': 'Is there an abnormality? Answer yes or no, then one sentence why.',
  locate: 'Where is the abnormality? Give a box for each finding.',
} as const;

interface Exchange extends ChatTurn {
  /** On an answer: the text as decoded, special tokens kept (what the model sees as history). */
  raw?: string;
  model?: string;
  boxes?: GroundedBox[];
  /** On an answer: the question it answers and the VLM that gave it (for provenance). */
  question?: string;
  vlm?: Provenance['model'];
}

/**
 * Questions about the current image to a vision-language model: loads on first use, streams
 * the answer, draws the boxes it names as they appear, keeps a conversation per image.
 */
export class AskState {
  #viewer: ViewerState;
  #segmentation: SegmentationState;
  #client: VlmClient;
  #modelsUrl: string;
  #models = $state.raw<VlmModel[]>([]);
  #selected = $state<string | undefined>(undefined);
  #preference = $state<BackendPreference>('auto');
  #status = $state<'idle' | 'loading' | 'ready' | 'generating' | 'error'>('idle');
  #progress = $state.raw<{ file: string; loaded: number; total: number } | undefined>(undefined);
  #loaded = $state.raw<(VlmLoadResult & { id: string; sha256: string | null }) | undefined>(undefined);
  #error = $state<string | undefined>(undefined);
  #system = $state('');
  #conversations = $state.raw<Record<string, Exchange[]>>({});
  /** The answer being streamed, and the slice id it is about. */
  #streaming = $state.raw<{ image: string; text: string } | undefined>(undefined);
  #speed = $state.raw<{ tokens: number; tokensPerSecond: number; firstTokenMs: number } | undefined>(undefined);
  /** Per slice id, the overlay ids of the boxes its latest answer named. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- overlay bookkeeping that no view reads
  #boxIds = new Map<string, string[]>();
  /** The questions in turn: each waits for the one before it. */
  #turns: Promise<unknown> = Promise.resolve();

  constructor(viewer: ViewerState, segmentation: SegmentationState, client: VlmClient, modelsUrl: string) {
    this.#viewer = viewer;
    this.#segmentation = segmentation;
    this.#client = client;
    this.#modelsUrl = modelsUrl;
  }

  get models() {
    return this.#models;
  }
  get selected() {
    return this.#models.find((m) => m.id === this.#selected);
  }
  get preference() {
    return this.#preference;
  }
  get status() {
    return this.#status;
  }
  get progress() {
    return this.#progress;
  }
  get loaded() {
    return this.#loaded;
  }
  get error() {
    return this.#error;
  }
  get system() {
    return this.#system;
  }
  /** The answer streaming about the displayed slice ('' when none is). */
  get streaming(): string {
    const streaming = this.#streaming;
    return streaming && streaming.image === this.#imageKey() ? streaming.text : '';
  }
  get speed() {
    return this.#speed;
  }
  /** Said when the chosen model's box syntax is not one we read: its answers draw no box, rather than a guessed one. */
  get boxFormatNotice(): string | undefined {
    const model = this.selected;
    return model && !BOX_FORMATS[model.boxFormat]
      ? `${displayName(model)} answers in box format "${model.boxFormat}", which medlens does not read: no boxes are drawn from its answers`
      : undefined;
  }
  /** The conversation about the image on screen. */
  get conversation(): Exchange[] {
    const key = this.#imageKey();
    return key ? (this.#conversations[key] ?? []) : [];
  }

  /** Takes the VLM entries of the model list (fetched once for every panel). */
  async useModels(catalog: Promise<ModelEntry[]>): Promise<void> {
    try {
      this.#models = (await catalog).filter((m): m is VlmModel => m.task === 'vlm');
      this.select((this.#models.find((m) => !m.fixture) ?? this.#models[0])?.id ?? '');
    } catch (error) {
      this.#fail(`the model list could not be read: ${(error as Error).message}`);
    }
  }

  select(id: string): void {
    this.#selected = id;
    this.#system = this.selected?.systemPrompt ?? '';
  }
  setPreference(preference: BackendPreference): void {
    this.#preference = preference;
  }
  setSystem(text: string): void {
    this.#system = text;
  }

  #imageKey(): string | undefined {
    return this.#viewer.slice?.id;
  }

  async #ensureLoaded(model: VlmModel): Promise<void> {
    if (this.#loaded?.id === model.id) return;
    this.#status = 'loading';
    this.#error = undefined;
    try {
      const info = await this.#client.load(model, this.#modelsUrl, this.#preference, (p) => (this.#progress = p));
      this.#loaded = { ...info, id: model.id, sha256: await modelSha256(model) };
    } finally {
      this.#progress = undefined;
    }
  }

  /**
   * Asks about the displayed slice; the model loads on first use (switching models disposes the
   * old one). Questions wait their turn, so questions asked together share one model load and
   * each gets its answer (a follow-up sees the answers before it). Rejects with the reason when
   * it fails; the panel shows the same reason.
   */
  ask(question: string): Promise<Exchange> {
    const model = this.selected;
    const rendering = this.#viewer.rendering;
    if (!model) return Promise.reject(new Error('choose a vision-language model'));
    if (!rendering) return Promise.reject(new Error('open an image first'));
    if (!question.trim()) return Promise.reject(new Error('the question is empty'));
    const turn = this.#turns.then(() => this.#answer(model, rendering, question));
    this.#turns = turn.catch(() => undefined);
    return turn;
  }

  async #answer(model: VlmModel, rendering: Rendering, question: string): Promise<Exchange> {
    // The question, its answer and its boxes belong to this slice, whatever is shown later.
    const key = rendering.slice.id;
    const history = this.#conversations[key] ?? [];
    try {
      await this.#ensureLoaded(model);
      this.#status = 'generating';
      this.#streaming = { image: key, text: '' };
      const vlm = { id: model.id, name: displayName(model), sha256: this.#loaded?.sha256 ?? null };
      const provenance: Provenance = { model: vlm, question };
      const { width, height, rgba } = rendering;
      const boxesIn = (answer: StreamedAnswer) => answerBoxes(model, answer, { width, height }, question);
      const turns = history.map(({ role, text, raw }) => ({ role, text: raw ?? text }));
      const request = { image: { width, height, rgba }, system: this.#system, history: turns, question };
      const result = await this.#client.generate(request, (streamed) => {
        this.#streaming = { image: key, text: streamed.text };
        this.#drawBoxes(key, boxesIn(streamed), provenance);
      });
      const boxes = boxesIn(result);
      this.#drawBoxes(key, boxes, { ...provenance, answer: result.text });
      const answer: Exchange = {
        role: 'assistant',
        text: result.text,
        raw: result.raw,
        model: displayName(model),
        boxes,
        question,
        vlm,
      };
      this.#conversations = { ...this.#conversations, [key]: [...history, { role: 'user', text: question }, answer] };
      this.#speed = {
        tokens: result.tokens,
        tokensPerSecond: result.tokens / (result.ms / 1000),
        firstTokenMs: result.firstTokenMs,
      };
      this.#streaming = undefined;
      this.#status = 'ready';
      return answer;
    } catch (error) {
      this.#streaming = undefined;
      this.#client.reset(`${displayName(model)} stopped after an error`);
      this.#loaded = undefined;
      const message = `${displayName(model)}: ${(error as Error).message}`;
      this.#fail(message);
      throw new Error(message, { cause: error });
    }
  }

  stop(): void {
    this.#client.stop();
  }

  /** Sends a box the model named to the segmentation model as a prompt; the mask records the exchange. */
  async segment(box: GroundedBox, answer: Exchange): Promise<void> {
    if (!this.#segmentation.loaded) {
      this.#error = 'load a segmentation model (Segment panel) to turn boxes into masks';
      return;
    }
    await this.#segmentation.run(
      { points: [], box },
      { question: answer.question, answer: answer.text, vlm: answer.vlm },
    );
  }

  #drawBoxes(image: string, boxes: GroundedBox[], provenance: Provenance): void {
    const overlay = this.#viewer.overlay;
    for (const id of this.#boxIds.get(image) ?? []) overlay.remove(id);
    this.#boxIds.set(
      image,
      boxes.map((b) => overlay.addBox({ ...b, image, label: b.label || 'finding', color: '#ff8c33', provenance })),
    );
  }

  #fail(message: string): void {
    this.#status = 'error';
    this.#error = message;
  }
}
