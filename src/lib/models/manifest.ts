/** One entry of models/manifest.json: everything the code needs to run a model is data here. */
export interface ModelFile {
  name: string;
  /** Bytes and hash of the file; null until the real weights are brought in (unverified). */
  size: number | null;
  sha256: string | null;
  /**
   * Where `npm run models -- pull` fetches it from, when the source is known: the hub's
   * resolve route at a pinned commit. With sha256 null, the first download records its hash in
   * models/models.lock.json and every later check holds the file to it.
   */
  url?: string;
}

export interface SegmentationModel {
  id: string;
  name: string;
  task: 'segmentation';
  /**
   * Decoder prompt contract: Meta's SamOnnxModel, LiteMedSAM's export, or transformers.js' SAM
   * layout (vision_encoder + prompt_encoder_mask_decoder: Xenova's SAM, MedSAM and SlimSAM).
   */
  family: 'sam' | 'litemedsam' | 'transformers-sam';
  /** Fixture models are never presented as real ones. */
  fixture: boolean;
  /** Side of the square model input (1024 for SAM, 256 for LiteMedSAM). */
  inputSize: number;
  /**
   * Its weights are fp16: they run only on a WebGPU adapter with shader-f16. Elsewhere the entry
   * named by `withoutShaderF16` (same contract, other weights) is loaded instead, and the user told.
   */
  needsShaderF16?: boolean;
  withoutShaderF16?: string;
  /** Outside the graph, before the encoder (read from the model's own inference code). */
  preprocessing: {
    /**
     * Longest side to S keeping the aspect ratio (SAM, LiteMedSAM), both sides to S (MedSAM), or
     * fitted top-left into a fixed canvas (samexporter's inference: 684 × 1024, rest 0).
     */
    resize: 'longest-side' | 'stretch' | 'canvas';
    pad: 'bottom-right' | 'none';
    /** 'in-graph': the encoder normalises (and pads) itself; it takes 0–255 values. */
    normalize: 'imagenet' | 'min-max' | 'in-graph';
    /** For resize 'canvas': its [height, width]. */
    canvas?: [number, number];
    /** The encoder input tensor: NCHW [1, 3, S, S] (default), or HWC [H, W, 3] (samexporter --use-preprocess). */
    layout?: 'nchw' | 'hwc';
    /** Channel order fed (default RGB); samexporter's inference feeds cv2's BGR as is. */
    channels?: 'rgb' | 'bgr';
  };
  /**
   * How prompt coordinates reach the model's input frame: each axis by its resize factor as a
   * float (SAM's apply_coords; MedSAM's per-axis box), or int(v · S / max(W, H)) (LiteMedSAM's
   * official script truncates). Default per-axis.
   */
  prompt?: {
    scale: 'per-axis' | 'longest-side-truncated';
    /** The (0, 0, −1) padding row: only without a box (Meta's notebook, default), or always (samexporter). */
    padding?: 'without-box' | 'always';
  };
  /**
   * Which output becomes the mask: the decoder's `masks` at the original size (SamOnnxModel), or
   * mask token 0 of `low_res_masks` resized straight to H × W (MedSAM_Inference.py), or the
   * low-res mask with the highest IoU score through the padded frame (transformers.js' layout,
   * SamProcessor.post_process_masks), and its threshold: logits > 0, or sigmoid > 0.5. Default
   * masks, logits.
   */
  postprocess?: { mask: 'masks' | 'low-res-token-0' | 'best-iou'; threshold: 'logits' | 'sigmoid' };
  /**
   * The decoder's `masks` output is its `low_res_masks` through Meta's mask_postprocessing (up to
   * the input size, crop the padding, down to the image): on WebGPU only the low-res logits are
   * read back and those steps done here (sam-prompt.ts paddedLowResMask). Fixture decoders that
   * draw `masks` directly do not say so.
   */
  masksFromLowRes?: boolean;
  /** Where each step of this contract is written in the model's own code: repo@commit:path:line. */
  contract?: string[];
  encoder: {
    file: string;
    input: string;
    output: string;
    /**
     * Bytes of the largest tensor the encoder computes (SAM ViT-B's global attention: 12 heads ×
     * 4096² float32 = 768 MiB). onnxruntime-web's WebGPU backend computes silently wrong results
     * when one exceeds the adapter's maxStorageBufferBindingSize, so such a GPU is not used.
     */
    largestTensorBytes?: number;
    /** transformers.js' layout: the positional embeddings output, fed to the decoder too. */
    positional?: string;
  };
  decoder: {
    file: string;
    embeddings: string;
    /** transformers.js' layout: image_positional_embeddings, and the box as its own [1, 1, 4] input. */
    positionalEmbeddings?: string;
    boxes?: string;
    pointCoords: string;
    pointLabels: string;
    maskInput?: string;
    hasMaskInput?: string;
    /** SamOnnxModel and LiteMedSAM: the image size in, full-size masks out. */
    origSize?: string;
    origSizeType?: 'float32' | 'int64';
    masks?: string;
    iou: string;
    lowResMasks: string;
  };
  files: ModelFile[];
  source?: string;
  licence: string;
  citation: string;
}

/** A vision-language model in transformers.js layout (config.json, tokenizer, onnx/…). */
export interface VlmModel {
  id: string;
  name: string;
  task: 'vlm';
  /** transformers.js model_type of the checkpoint (gemma3 for MedGemma, florence2, …). */
  family: string;
  fixture: boolean;
  /** Which grounding parser reads its boxes (src/lib/grounding); an unknown one draws none. */
  boxFormat: string;
  /**
   * How the image is prepared before the model's processor, as the family was evaluated; the
   * worker does it and the box parser undoes it (src/lib/grounding/frame.ts).
   */
  imagePadding: 'centre-square' | 'none';
  /** ONNX weight variants present, best first; the backend picks one (q4f16 needs shader-f16). */
  dtypes: string[];
  /** Parameter count: a model too large for WASM is refused there (vlm-files.ts) rather than attempted. */
  parameters: number;
  /** Who built the ONNX files, when not the model's authors: said wherever the model is offered. */
  thirdParty?: string;
  /** The system prompt offered by default; the user can edit it. */
  systemPrompt: string;
  /**
   * A model prompted with task tokens, not a conversation (Florence-2): the tasks offered, each a
   * button whose prompt may hold `{finding}`. The question is sent alone, as the task: no chat
   * template, no system prompt, no earlier turns (its processor maps the token to its prompt).
   */
  tasks?: VlmTask[];
  files: ModelFile[];
  /** Model hub repository, for the explicit "download from the hub" action. */
  hub?: string;
  source?: string;
  licence: string;
  citation: string;
}

export interface VlmTask {
  label: string;
  /** The task token, then its text input where it takes one: `<CAPTION_TO_PHRASE_GROUNDING>{finding}`. */
  prompt: string;
}

export type ModelEntry = SegmentationModel | VlmModel;

export const FIXTURE_LABEL = 'test model, random weights';

/** How a model is named wherever it appears, so a fixture can never pass for a real model. */
export function displayName(model: Pick<ModelEntry, 'name' | 'fixture'>): string {
  return model.fixture ? `${model.name} (${FIXTURE_LABEL})` : model.name;
}

/**
 * What a user is told about an entry before choosing it: its size, licence, and where its files
 * come from — the hub at a pinned commit (held to the published sha256, or to the hash recorded
 * on first download), or the deployment's own models/ folder.
 */
export function modelSummary(model: Pick<ModelEntry, 'files' | 'licence'> & { thirdParty?: string }): string {
  const known = model.files.every((f) => f.size !== null);
  const bytes = model.files.reduce((n, f) => n + (f.size ?? 0), 0);
  const size = !known
    ? 'size unknown'
    : bytes < 2 ** 20
      ? `${(bytes / 1024).toFixed(1)} kB`
      : `${(bytes / 2 ** 20).toFixed(0)} MB`;
  const licence = model.licence.split(' (')[0];
  const source = !model.files.every((f) => f.url)
    ? 'files supplied by the deployment'
    : model.files.every((f) => f.sha256)
      ? 'downloadable, sha256 pinned'
      : 'downloadable, sha256 recorded on first download';
  const builder = model.thirdParty ? ` · ONNX files: ${model.thirdParty}` : '';
  return `${size} · ${licence} · ${source}${builder}`;
}

/**
 * One sha256 naming a model: the sha256 of its files' `sha256sum` listing ("<hash>  <name>"
 * lines, sorted, each ending in a newline), so `sha256sum * | LC_ALL=C sort | sha256sum` in the
 * model's folder gives the same. Null while any file's hash is unknown.
 */
export async function modelSha256(model: Pick<ModelEntry, 'files'>): Promise<string | null> {
  if (model.files.some((f) => !f.sha256)) return null;
  const listing = model.files
    .map((f) => `${f.sha256}  ${f.name}\n`)
    .sort()
    .join('');
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(listing));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function fail(where: string, what: string): never {
  throw new Error(`models/manifest.json: ${where}: ${what}`);
}

function isString(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}

function checkEntry(raw: unknown, index: number): ModelEntry {
  const where = `models[${index}]`;
  if (!raw || typeof raw !== 'object') fail(where, 'not an object');
  const m = raw as Record<string, unknown>;
  if (!isString(m.id) || !/^[a-z0-9][a-z0-9._-]*$/.test(m.id))
    fail(where, 'id must be lower-case letters, digits, ".", "_" or "-"');
  const at = `${where} (${m.id})`;
  const files = m.files;
  if (!Array.isArray(files) || files.length === 0) fail(at, 'files must list the model files');
  for (const f of files as ModelFile[]) {
    // Relative paths inside the model folder (onnx/…), never upwards or hidden.
    if (!isString(f.name) || !f.name.split('/').every((part) => /^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(part))) {
      fail(at, `file name ${String(f.name)} is not a plain relative path`);
    }
    // ArrayBuffers and protobuf cap a file at 2 GiB: larger weights come as external-data shards.
    if (f.size !== null && !(Number.isInteger(f.size) && f.size >= 0 && f.size < 2 ** 31)) {
      fail(at, `${f.name}: size must be a byte count under 2 GiB (split larger weights into .onnx_data shards)`);
    }
    if (f.sha256 !== null && !/^[0-9a-f]{64}$/.test(String(f.sha256))) {
      fail(at, `${f.name}: sha256 must be 64 hex digits or null`);
    }
    // A download names the hub's revision by its commit, never a branch that can move under it.
    if (
      f.url !== undefined &&
      !/^https:\/\/huggingface\.co\/[\w.-]+\/[\w.-]+\/resolve\/[0-9a-f]{40}\/\S+$/.test(f.url)
    ) {
      fail(at, `${f.name}: url must be https://huggingface.co/<repo>/resolve/<40-hex commit>/<path>`);
    }
  }
  if (m.task === 'vlm') {
    if (!isString(m.boxFormat)) fail(at, 'a VLM entry needs boxFormat');
    if (!Number.isFinite(m.parameters) || (m.parameters as number) <= 0) fail(at, 'a VLM entry needs parameters');
    if (m.imagePadding !== 'centre-square' && m.imagePadding !== 'none') {
      fail(at, 'imagePadding must be centre-square or none');
    }
    if (!Array.isArray(m.dtypes) || m.dtypes.length === 0) fail(at, 'a VLM entry needs dtypes');
    const tasks = m.tasks as unknown[] | undefined;
    if (
      tasks !== undefined &&
      !(
        Array.isArray(tasks) &&
        tasks.length > 0 &&
        tasks.every((t) => isString((t as VlmTask).label) && /^<[A-Z_]+>/.test(String((t as VlmTask).prompt)))
      )
    ) {
      fail(at, 'tasks must list { label, prompt } with each prompt starting with its task token');
    }
    return m as unknown as VlmModel;
  }
  if (m.task !== 'segmentation') fail(at, `task ${String(m.task)} is not "segmentation" or "vlm"`);
  if (m.family !== 'sam' && m.family !== 'litemedsam' && m.family !== 'transformers-sam') {
    fail(at, `family ${String(m.family)} is not "sam", "litemedsam" or "transformers-sam"`);
  }
  if (!Number.isInteger(m.inputSize) || (m.inputSize as number) < 16) fail(at, 'inputSize must be an integer ≥ 16');
  const entry = m as unknown as SegmentationModel;
  for (const file of [entry.encoder?.file, entry.decoder?.file]) {
    if (!(files as ModelFile[]).some((f) => f.name === file)) fail(at, `${String(file)} is not among its files`);
  }
  if (entry.family === 'sam' && !(entry.decoder.maskInput && entry.decoder.hasMaskInput)) {
    fail(at, 'a SAM-family decoder needs maskInput and hasMaskInput');
  }
  const pre = entry.preprocessing;
  if (entry.family === 'transformers-sam') {
    const ok =
      entry.encoder.positional &&
      entry.decoder.positionalEmbeddings &&
      entry.decoder.boxes &&
      entry.postprocess?.mask === 'best-iou' &&
      pre?.resize === 'longest-side' &&
      pre.pad === 'bottom-right';
    if (!ok) {
      fail(at, 'transformers.js’ SAM layout needs positional embeddings, boxes, the best-iou mask, longest-side + pad');
    }
  } else if (!(entry.decoder.origSize && entry.decoder.origSizeType && entry.decoder.masks)) {
    fail(at, 'a SamOnnxModel or LiteMedSAM decoder needs origSize, origSizeType and masks');
  } else if (entry.postprocess?.mask === 'best-iou') {
    fail(at, 'the best-iou mask belongs to transformers.js’ SAM layout');
  }
  if (!['longest-side', 'stretch', 'canvas'].includes(pre?.resize) || !['bottom-right', 'none'].includes(pre?.pad)) {
    fail(at, 'preprocessing.resize must be longest-side, stretch or canvas, pad bottom-right or none');
  }
  if (entry.masksFromLowRes && (pre.resize !== 'longest-side' || pre.pad !== 'bottom-right' || entry.postprocess)) {
    fail(at, 'masksFromLowRes needs a longest-side resize padded bottom-right, and the decoder’s masks output');
  }
  if (!['imagenet', 'min-max', 'in-graph'].includes(pre.normalize)) {
    fail(at, 'preprocessing.normalize must be imagenet, min-max or in-graph');
  }
  if (pre.resize === 'canvas' && !(pre.canvas?.length === 2 && pre.layout === 'hwc')) {
    fail(at, 'a canvas resize needs canvas [height, width] and the HWC layout');
  }
  if (pre.resize === 'stretch' && pre.pad !== 'none') fail(at, 'a stretched image fills the input: pad must be none');
  return entry;
}

export function parseManifest(json: unknown): ModelEntry[] {
  const models = (json as { models?: unknown })?.models;
  if (!Array.isArray(models)) fail('top level', 'no "models" array');
  const entries = models.map(checkEntry);
  const ids = new Set<string>();
  for (const e of entries) {
    if (ids.has(e.id)) fail(e.id, 'duplicate id');
    ids.add(e.id);
  }
  for (const e of entries) {
    if (e.task !== 'segmentation' || !e.withoutShaderF16) continue;
    const other = entries.find((o) => o.id === e.withoutShaderF16);
    if (other?.task !== 'segmentation' || other.needsShaderF16) {
      fail(e.id, `withoutShaderF16 ${e.withoutShaderF16} is not a segmentation entry that runs without shader-f16`);
    }
  }
  return entries;
}

/**
 * models/models.lock.json, written by `npm run models -- pull` on a file's first download: per
 * entry and file, the size and sha256 it had then.
 */
export type ModelLock = Record<string, Record<string, { size: number; sha256: string }>>;

/**
 * Holds each file the manifest pins no hash for to its first download's, so the app refuses a
 * file that changed since as the CLI does. A record that is not a size and a sha256 is refused.
 */
export function applyLock(entries: ModelEntry[], lock: ModelLock): ModelEntry[] {
  return entries.map((entry) => {
    const locked = lock[entry.id];
    if (!locked) return entry;
    const files = entry.files.map((f) => {
      const record = f.sha256 === null ? locked[f.name] : undefined;
      if (!record) return f;
      if (!Number.isInteger(record.size) || !/^[0-9a-f]{64}$/.test(String(record.sha256))) {
        fail(`models.lock.json (${entry.id})`, `${f.name}: a record needs size and sha256`);
      }
      return { ...f, size: record.size, sha256: record.sha256 };
    });
    return { ...entry, files };
  });
}

/**
 * Reads and checks models/manifest.json as served beside the app at `modelsUrl`, with the
 * first-use lock beside it applied (none yet: 404 or unreachable).
 */
export async function fetchManifest(modelsUrl: string): Promise<ModelEntry[]> {
  // The lock comes from the same host as the manifest; unreachable is the same as absent (the
  // build always writes and precaches one, but the dev server and other hosts may have none).
  const [response, lockResponse] = await Promise.all([
    fetch(`${modelsUrl}manifest.json`),
    fetch(`${modelsUrl}models.lock.json`).catch(() => undefined),
  ]);
  if (!response.ok) throw new Error(`${modelsUrl}manifest.json: HTTP ${response.status}`);
  const lock: ModelLock = lockResponse?.ok ? await lockResponse.json() : {};
  return applyLock(parseManifest(await response.json()), lock);
}
