import { expose } from 'comlink';
import type { BackendPreference } from '../src/lib/models/backend';
import type { VlmModel } from '../src/lib/models/manifest';
import type { GenerateRequest, StreamedAnswer, VlmSession } from '../src/lib/models/vlm-session';

let session: VlmSession | undefined;

const api = {
  /** Loads a model, disposing the previous one first (only one VLM lives in memory). */
  async load(
    model: VlmModel,
    baseUrl: string,
    preference: BackendPreference,
    onProgress: (p: { file: string; loaded: number; total: number }) => void,
  ) {
    await session?.dispose();
    session = undefined;
    // transformers.js is large: imported on first use, never by the app shell.
    const { VlmSession } = await import('../src/lib/models/vlm-session');
    const created = await VlmSession.create(model, baseUrl, preference, onProgress);
    session = created.session;
    return created.info;
  },
  generate(request: GenerateRequest, onText: (answer: StreamedAnswer) => void) {
    if (!session) throw new Error('no vision-language model is loaded');
    return session.generate(request, onText);
  },
  stop() {
    session?.stop();
  },
  async dispose() {
    await session?.dispose();
    session = undefined;
  },
};

export type VlmApi = typeof api;

if ('WorkerGlobalScope' in globalThis) expose(api);

export default api;
