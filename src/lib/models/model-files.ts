import { displayName, type ModelEntry, type ModelFile } from './manifest';

export const MODEL_CACHE = 'medlens-models-v1';

export interface FileProgress {
  file: string;
  loaded: number;
  total: number | null;
  phase: 'download' | 'cache';
}

export class ModelFileError extends Error {
  override name = 'ModelFileError';
}

export interface LoadedFile {
  bytes: Uint8Array;
  /** False when the manifest has no sha256 for the file yet. */
  verified: boolean;
  fromCache: boolean;
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export function modelFileUrl(model: ModelEntry, file: ModelFile, baseUrl: string): string {
  return new URL(`${model.id}/${file.name}`, baseUrl).href;
}

/**
 * Cache Storage where the context has it: not in Node, and a browser may refuse it (a
 * cross-site iframe with third-party storage blocked). Then models load without caching.
 */
export async function openModelCache(): Promise<Cache | undefined> {
  try {
    return typeof caches === 'undefined' ? undefined : await caches.open(MODEL_CACHE);
  } catch {
    return undefined;
  }
}

/** Size and sha256 against the manifest; false when the manifest pins no hash. */
export async function checkFile(model: ModelEntry, file: ModelFile, bytes: Uint8Array, from: string): Promise<boolean> {
  if (file.size !== null && bytes.length !== file.size) {
    throw new ModelFileError(
      `${displayName(model)}: ${file.name} from ${from} has ${bytes.length} bytes, the manifest says ${file.size}`,
    );
  }
  if (file.sha256 === null) return false;
  const actual = await sha256(bytes);
  if (actual !== file.sha256) {
    throw new ModelFileError(
      `${displayName(model)}: ${file.name} from ${from} has sha256 ${actual}, the manifest says ${file.sha256}`,
    );
  }
  return true;
}

/** Fetches a file with progress; a missing file, or an HTML page instead of it, is a ModelFileError. */
export async function downloadBytes(
  url: string,
  name: string,
  signal: AbortSignal | undefined,
  onProgress: (p: FileProgress) => void,
): Promise<Uint8Array> {
  let response: Response | undefined;
  // A network error before any answer is tried once more: a connection the server closed while
  // it sat idle in the pool (ECONNRESET) fails the first attempt and not the second.
  for (let attempt = 1; !response; attempt++) {
    try {
      response = await fetch(url, { signal });
    } catch (error) {
      if (signal?.aborted) throw error;
      if (attempt === 2) {
        throw new ModelFileError(`${name} could not be fetched from ${url} (offline, or the server is unreachable)`);
      }
    }
  }
  if (!response.ok || !response.body) {
    throw new ModelFileError(`${name} was not found at ${url} (HTTP ${response.status})`);
  }
  // Single-page-app hosts answer unknown paths with the app's index.html and status 200.
  if (response.headers.get('content-type')?.startsWith('text/html')) {
    throw new ModelFileError(`${name} was not found at ${url} (the server sent an HTML page instead)`);
  }
  const header = Number(response.headers.get('content-length'));
  const total = Number.isFinite(header) && header > 0 ? header : null;
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    onProgress({ file: name, loaded, total, phase: 'download' });
  }
  const bytes = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return bytes;
}

/**
 * Stores a verified file for later and offline loads. A refusal (quota, a browser limit on one
 * entry's size) only means the next load downloads again: it never stops this one.
 */
export async function keep(cache: Cache | undefined, url: string, bytes: Uint8Array): Promise<void> {
  try {
    await cache?.put(url, new Response(bytes as Uint8Array<ArrayBuffer>));
  } catch (error) {
    console.warn(`model file not cached (${(error as Error).message}): ${url}`);
  }
}

/**
 * One model file: from Cache Storage when a verified copy is there (second load and offline
 * use read no network), else downloaded with progress, checked against the manifest's size
 * and sha256, and cached.
 */
export async function loadModelFile(
  model: ModelEntry,
  file: ModelFile,
  baseUrl: string,
  options: { signal?: AbortSignal; onProgress?: (p: FileProgress) => void; cache?: Cache },
): Promise<LoadedFile> {
  const url = modelFileUrl(model, file, baseUrl);
  const onProgress = options.onProgress ?? (() => {});
  const cached = await options.cache?.match(url);
  if (cached) {
    const bytes = new Uint8Array(await cached.arrayBuffer());
    try {
      const verified = await checkFile(model, file, bytes, 'the cache');
      onProgress({ file: file.name, loaded: bytes.length, total: bytes.length, phase: 'cache' });
      return { bytes, verified, fromCache: true };
    } catch {
      await options.cache?.delete(url); // stale or damaged: fetch again
    }
  }
  let bytes: Uint8Array;
  try {
    bytes = await downloadBytes(url, file.name, options.signal, onProgress);
  } catch (error) {
    if (error instanceof ModelFileError) {
      throw new ModelFileError(
        `${displayName(model)}: ${error.message}. Put ${model.files.map((f) => f.name).join(' and ')} in models/${model.id}/ ` +
          `beside the app (see models/README.md), or use "Load model files…".`,
      );
    }
    throw error;
  }
  const verified = await checkFile(model, file, bytes, url);
  await keep(options.cache, url, bytes);
  return { bytes, verified, fromCache: false };
}

/**
 * Files the user picked (by name): checked like downloads, then cached under the URL they
 * would have been served from, so later loads find them without asking again.
 */
export async function importModelFiles(
  model: ModelEntry,
  picked: Map<string, Uint8Array>,
  baseUrl: string,
  cache: Cache | undefined,
): Promise<void> {
  for (const file of model.files) {
    const bytes = picked.get(file.name);
    if (!bytes) {
      throw new ModelFileError(
        `${displayName(model)}: ${file.name} is not among the picked files (${[...picked.keys()].join(', ') || 'none'})`,
      );
    }
    await checkFile(model, file, bytes, 'the picked files');
    await keep(cache, modelFileUrl(model, file, baseUrl), bytes);
  }
}
