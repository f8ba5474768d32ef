import { proxy } from 'comlink';
import { LazyWorker } from './lazy-worker';
import type { VlmApi } from '../../workers/vlm.worker';
import type { BackendPreference } from '../lib/models/backend';
import type { VlmModel } from '../lib/models/manifest';
import type { GenerateRequest, StreamedAnswer } from '../lib/models/vlm-session';

/** The VLM worker, started on first use; `reset()` ends it (after a GPU device loss, say). */
export class VlmClient {
  #worker = new LazyWorker<VlmApi>(
    () => new Worker(new URL('../../workers/vlm.worker.ts', import.meta.url), { type: 'module', name: 'vlm' }),
  );

  load(
    model: VlmModel,
    baseUrl: string,
    preference: BackendPreference,
    onProgress: (p: { file: string; loaded: number; total: number }) => void,
  ) {
    return this.#worker.api.load(model, baseUrl, preference, proxy(onProgress));
  }

  generate(request: GenerateRequest, onText: (answer: StreamedAnswer) => void) {
    return this.#worker.api.generate(request, proxy(onText));
  }

  stop(): void {
    void this.#worker.running?.stop();
  }

  /** Ends the worker; calls still waiting on it are rejected with `reason`. */
  reset(reason?: string): void {
    this.#worker.reset(reason);
  }
}
