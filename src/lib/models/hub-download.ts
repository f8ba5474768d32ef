import type { ModelFile, VlmModel } from './manifest';
import { checkFile, downloadBytes, keep, modelFileUrl, type FileProgress } from './model-files';

/** Where the model hub serves a file of a repository (the `resolve/main` route). */
export function hubFileUrl(model: VlmModel, file: ModelFile): string {
  if (!model.hub) throw new Error(`${model.id} names no hub repository`);
  return `https://huggingface.co/${model.hub}/resolve/main/${file.name}`;
}

/**
 * Sizes before anything is downloaded: a HEAD request per file. The hub reports large (LFS)
 * files' real size in x-linked-size, the others in content-length.
 */
export async function hubFileSizes(
  model: VlmModel,
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
  model: VlmModel,
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
