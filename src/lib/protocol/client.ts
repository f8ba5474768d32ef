// The host side of the embed protocol: `const viewer = await Medlens.embed(iframe)`.
// Built to dist/medlens-client.js as a standalone ES module.
import type { Rle } from '../overlays/rle';
import type {
  AnswerResult,
  Capabilities,
  ExportResult,
  HostMessage,
  PROTOCOL_VERSION as Version,
  WidgetMessage,
} from './messages';

// A literal, not an import, so dist/medlens-client.js stays one self-contained file; the type
// annotation breaks the build if the protocol version changes without this file.
const PROTOCOL_VERSION: typeof Version = 1;

export interface SegmentOptions {
  box?: [number, number, number, number];
  points?: { x: number; y: number; positive: boolean }[];
  model?: string;
}
export interface MaskResult {
  rle: Rle;
  bbox: [number, number, number, number] | null;
  model: string;
}
export interface EmbeddedViewer {
  readonly capabilities: Capabilities;
  /** Buffers are transferred to the widget: the host's copies become empty. */
  open(data: ArrayBuffer | { name: string; data: ArrayBuffer }[], name?: string): Promise<{ images: number }>;
  segment(options: SegmentOptions, onProgress?: (stage: string) => void): Promise<MaskResult>;
  setWindow(center: number, width: number): Promise<void>;
  clear(): Promise<void>;
  ask(question: string, options?: { model?: string }): Promise<Omit<AnswerResult, 'kind'>>;
  /** The displayed series' results as a file (a DICOM SEG, a PNG label mask, or JSON). */
  export(format: ExportResult['format']): Promise<Omit<ExportResult, 'kind'>>;
  dispose(): void;
}

export class MedlensError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Distributive<T> = T extends unknown ? Omit<T, 'medlens' | 'id'> : never;

/**
 * Connects to a medlens widget in `iframe` (its src must be the widget's embed.html with this
 * page's origin in ?allowed=). Messages go only to the widget's origin, never to '*'.
 */
/**
 * `timeoutMs`: how long to wait for the widget to announce itself (default 30 s).
 * `requestTimeoutMs`: how long a request may go without any answer or progress from the widget
 * before it is rejected with code 'timeout' (default 10 min: a first model download is long).
 */
export function embed(
  iframe: HTMLIFrameElement,
  options: { timeoutMs?: number; requestTimeoutMs?: number } = {},
): Promise<EmbeddedViewer> {
  const origin = new URL(iframe.src, location.href).origin;
  const pending = new Map<
    string,
    {
      resolve: (v: unknown) => void;
      reject: (e: Error) => void;
      progress?: (s: string) => void;
      /** Restarts the silence timer (on each progress message). */
      alive: () => void;
    }
  >();
  let next = 1;
  let capabilities: Capabilities | undefined;
  let onReady: ((c: Capabilities) => void) | undefined;

  const listener = (event: MessageEvent) => {
    if (event.origin !== origin || event.source !== iframe.contentWindow) return;
    const msg = event.data as WidgetMessage;
    if (msg?.medlens !== PROTOCOL_VERSION) return;
    if (msg.type === 'ready') {
      capabilities = msg.capabilities;
      onReady?.(msg.capabilities);
      return;
    }
    const waiter = msg.id ? pending.get(msg.id) : undefined;
    if (!waiter) return;
    waiter.alive();
    if (msg.type === 'progress') waiter.progress?.(msg.stage);
    else {
      pending.delete(msg.id!);
      if (msg.type === 'result') waiter.resolve(msg.result);
      else waiter.reject(new MedlensError(msg.code, msg.message));
    }
  };
  window.addEventListener('message', listener);

  function request<T>(
    body: Distributive<HostMessage>,
    transfer: Transferable[] = [],
    progress?: (s: string) => void,
  ): Promise<T> {
    const id = `req-${next++}`;
    const limit = options.requestTimeoutMs ?? 600_000;
    return new Promise<T>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const alive = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          pending.delete(id);
          reject(new MedlensError('timeout', `no answer to ${body.type} from the widget within ${limit / 1000} s`));
        }, limit);
      };
      const settle =
        <A>(fn: (a: A) => void) =>
        (a: A) => {
          clearTimeout(timer);
          fn(a);
        };
      pending.set(id, { resolve: settle(resolve as (v: unknown) => void), reject: settle(reject), progress, alive });
      alive();
      iframe.contentWindow?.postMessage({ medlens: PROTOCOL_VERSION, id, ...body }, origin, transfer);
    });
  }

  const viewer = (caps: Capabilities): EmbeddedViewer => ({
    capabilities: caps,
    async open(data, name = 'image') {
      const files = data instanceof ArrayBuffer ? [{ name, data }] : data;
      const result = await request<{ images: number }>(
        { type: 'open', files },
        files.map((f) => f.data),
      );
      return { images: result.images };
    },
    async segment(options, onProgress) {
      const result = await request<MaskResult & { kind: 'mask' }>({ type: 'segment', ...options }, [], onProgress);
      return { rle: result.rle, bbox: result.bbox, model: result.model };
    },
    async setWindow(center, width) {
      await request({ type: 'setWindow', center, width });
    },
    async clear() {
      await request({ type: 'clear' });
    },
    async ask(question, options = {}) {
      const { kind: _, ...answer } = await request<AnswerResult>({ type: 'ask', question, ...options });
      return answer;
    },
    async export(format) {
      const { kind: _, ...file } = await request<ExportResult>({ type: 'export', format });
      return file;
    },
    dispose() {
      window.removeEventListener('message', listener);
      for (const waiter of pending.values()) waiter.reject(new MedlensError('disposed', 'the viewer was disposed'));
      pending.clear();
    },
  });

  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new MedlensError('timeout', `no answer from the widget at ${origin}`)),
      options.timeoutMs ?? 30_000,
    );
    const done = (caps: Capabilities) => {
      clearTimeout(timer);
      resolve(viewer(caps));
    };
    if (capabilities) return done(capabilities);
    onReady = done;
    // The widget announces itself on load; ask again in case that happened before we listened.
    const hello = () =>
      iframe.contentWindow?.postMessage({ medlens: PROTOCOL_VERSION, id: 'hello', type: 'hello' }, origin);
    hello();
    iframe.addEventListener('load', hello, { once: true });
  });
}

export const Medlens = { embed };
