import { displayName, type ModelEntry, type ModelFile } from './manifest';
import { checkFile, downloadBytes, keep, modelFileUrl, type FileProgress } from './model-files';

/**
 * Where the hub serves a file: its url in the model list, at a pinned commit (a branch can move
 * under the hashes the lock recorded). A file without one is not downloaded.
 */
export function hubFileUrl(model: ModelEntry, file: ModelFile): string {
  if (!file.url) {
    throw new Error(
      `${displayName(model)}: ${file.name} has no pinned hub revision in the model list, so it is not downloaded (add its resolve/<commit> url first)`,
    );
  }
  return file.url;
}

/**
 * Sizes before anything is downloaded: a HEAD request per file. The hub reports large (LFS)
 * files' real size in x-linked-size, the others in content-length.
 */
export async function hubFileSizes(
  model: ModelEntry,
  files: ModelFile[],
  signal?: AbortSignal,
): Promise<(number | null)[]> {
  return Promise.all(
    files.map(async (file) => {
      if (file.size !== null) return file.size;
      const response = await fetch(hubFileUrl(model, file), { method: 'HEAD', signal });
      const size = Number(response.headers.get('x-linked-size') ?? response.headers.get('content-length'));
      return response.ok && size > 0 ? size : null;
    }),
  );
}

/**
 * Downloads the files from the hub, checks them against the manifest like any model file, and
 * stores them in Cache Storage under the URLs the app loads them from (models/<id>/…), so the
 * app itself never contacts the hub and finds them there, also offline.
 */
export async function downloadFromHub(
  model: ModelEntry,
  files: ModelFile[],
  modelsUrl: string,
  cache: Cache | undefined,
  onProgress: (p: FileProgress) => void,
  signal?: AbortSignal,
): Promise<void> {
  for (const file of files) {
    const bytes = await downloadBytes(hubFileUrl(model, file), file.name, signal, onProgress);
    await checkFile(model, file, bytes, 'the hub');
    await keep(cache, modelFileUrl(model, file, modelsUrl), bytes);
  }
}
