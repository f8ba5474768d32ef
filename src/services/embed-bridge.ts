import { detectCapabilities } from '../lib/models/backend';
import { encodeRle, maskBounds } from '../lib/overlays/rle';
import {
  parseHostMessage,
  ProtocolError,
  PROTOCOL_VERSION,
  type HostMessage,
  type WidgetMessage,
} from '../lib/protocol/messages';
import type { SegmentationState } from '../state/segmentation.svelte';
import type { AskState } from '../state/ask.svelte';
import type { ViewerState } from '../state/viewer.svelte';

type Reply = (message: WidgetMessage, transfer?: Transferable[]) => void;

/**
 * The widget side of the embed protocol: answers messages from allowed origins only (others
 * get no answer at all), validates each one, and replies to the sender's origin, never '*'.
 */
export function startEmbedBridge(
  viewer: ViewerState,
  segmentation: SegmentationState,
  ask: AskState,
  allowed: Set<string>,
  early: MessageEvent[] = [],
): void {
  const announce = async (reply: Reply) => {
    const caps = await detectCapabilities();
    reply({
      medlens: PROTOCOL_VERSION,
      type: 'ready',
      capabilities: {
        protocol: PROTOCOL_VERSION,
        models: [...segmentation.models, ...ask.models].map((m) => ({
          id: m.id,
          name: m.name,
          fixture: m.fixture,
          task: m.task,
        })),
        webgpu: caps.webgpu,
        crossOriginIsolated: caps.crossOriginIsolated,
      },
    });
  };

  const onMessage = (event: MessageEvent) => {
    if (!allowed.has(event.origin) || !event.source) return;
    const source = event.source as Window;
    const reply: Reply = (message, transfer = []) =>
      source.postMessage(message, { targetOrigin: event.origin, transfer });
    let message: HostMessage;
    try {
      message = parseHostMessage(event.data);
    } catch (error) {
      const id = typeof event.data?.id === 'string' && event.data.id.length <= 128 ? event.data.id : undefined;
      const code = error instanceof ProtocolError ? error.code : 'invalid-message';
      reply({ medlens: PROTOCOL_VERSION, id, type: 'error', code, message: (error as Error).message });
      return;
    }
    handle(message, reply).catch((error: Error) => {
      const code = error instanceof ProtocolError ? error.code : 'failed';
      reply({ medlens: PROTOCOL_VERSION, id: message.id, type: 'error', code, message: error.message });
    });
  };
  window.addEventListener('message', onMessage);
  // What arrived while the widget was starting is answered now, in order.
  for (const event of early) onMessage(event);

  async function handle(message: HostMessage, reply: Reply): Promise<void> {
    const done = (result: Extract<WidgetMessage, { type: 'result' }>['result'], transfer?: Transferable[]) =>
      reply({ medlens: PROTOCOL_VERSION, id: message.id, type: 'result', result }, transfer);
    switch (message.type) {
      case 'hello':
        return announce(reply);
      case 'open': {
        const before = viewer.stacks.length;
        const shown = viewer.messages.length;
        await viewer.open(message.files.map((f) => new File([f.data], f.name)));
        const failures = viewer.messages.slice(shown).map((m) => m.text);
        if (viewer.stacks.length === before && failures.length > 0)
          throw new ProtocolError('failed', failures.join('; '));
        return done({ kind: 'opened', images: viewer.stacks.length });
      }
      case 'segment': {
        if (message.model && message.model !== segmentation.loaded?.model.id) {
          if (!segmentation.models.some((m) => m.id === message.model)) {
            throw new ProtocolError(
              'no-model',
              `no model ${message.model}; the widget has ${segmentation.models.map((m) => m.id).join(', ')}`,
            );
          }
          segmentation.select(message.model);
          reply({ medlens: PROTOCOL_VERSION, id: message.id, type: 'progress', stage: 'loading model' });
          await segmentation.load();
          if (!segmentation.loaded)
            throw new ProtocolError('no-model', segmentation.error ?? `model ${message.model} did not load`);
        }
        if (!segmentation.loaded)
          throw new ProtocolError('no-model', 'no segmentation model is loaded: give `model` in the request');
        if (!viewer.slice) throw new ProtocolError('no-image', 'open an image first');
        const [x0, y0, x1, y1] = message.box ?? [];
        const box = message.box ? { x0: x0!, y0: y0!, x1: x1!, y1: y1! } : undefined;
        reply({ medlens: PROTOCOL_VERSION, id: message.id, type: 'progress', stage: 'segmenting' });
        const result = await segmentation.run({ points: message.points ?? [], box });
        if (result === 'superseded') throw new ProtocolError('superseded', 'a newer segment request replaced this one');
        if (!result) throw new ProtocolError('failed', segmentation.error ?? 'segmentation gave no mask');
        return done({
          kind: 'mask',
          rle: encodeRle(result.mask, result.width, result.height),
          bbox: maskBounds(result.mask, result.width, result.height) ?? null,
          model: segmentation.loaded.model.id,
        });
      }
      case 'ask': {
        if (message.model) {
          if (!ask.models.some((m) => m.id === message.model)) {
            throw new ProtocolError(
              'no-model',
              `no model ${message.model}; the widget has ${ask.models.map((m) => m.id).join(', ')}`,
            );
          }
          ask.select(message.model);
        } else if (!ask.loaded) {
          throw new ProtocolError('no-model', 'no vision-language model is loaded: give `model` in the request');
        }
        if (!viewer.slice) throw new ProtocolError('no-image', 'open an image first');
        reply({ medlens: PROTOCOL_VERSION, id: message.id, type: 'progress', stage: 'generating' });
        const answer = await ask.ask(message.question).catch((error: Error) => {
          throw new ProtocolError('failed', error.message);
        });
        return done({
          kind: 'answer',
          text: answer.text,
          boxes: (answer.boxes ?? []).map((b) => ({ label: b.label, box: [b.x0, b.y0, b.x1, b.y1] })),
          model: ask.loaded?.id ?? '',
        });
      }
      case 'setWindow':
        if (!viewer.slice) throw new ProtocolError('no-image', 'open an image first');
        viewer.setWindow({ center: message.center, width: message.width });
        return done({ kind: 'done' });
      case 'export': {
        if (!viewer.slice) throw new ProtocolError('no-image', 'open an image first');
        const { exportResults } = await import('./export');
        const file = await exportResults(viewer, message.format).catch((error: Error) => {
          throw new ProtocolError('failed', error.message);
        });
        const data = file.bytes.buffer.slice(file.bytes.byteOffset, file.bytes.byteOffset + file.bytes.byteLength);
        return done(
          { kind: 'export', format: message.format, name: file.name, mime: file.mime, data: data as ArrayBuffer },
          [data as ArrayBuffer],
        );
      }
      case 'clear':
        segmentation.clear();
        viewer.overlay.clear();
        return done({ kind: 'done' });
    }
  }

  // Announce to the embedding page, addressed to each allowed origin in turn (never '*').
  if (window.parent !== window) {
    for (const origin of allowed) void announce((m) => window.parent.postMessage(m, origin));
  }
}
