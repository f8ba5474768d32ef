import type { Rle } from '../overlays/rle';

/**
 * The embed protocol between a host page and the medlens widget in an iframe, version 1.
 * Every message is an object { medlens: 1, type, … }; requests carry an `id` that the
 * widget's progress, result and error replies repeat.
 */
export const PROTOCOL_VERSION = 1;

export interface OpenRequest {
  medlens: 1;
  id: string;
  type: 'open';
  /** The buffers are transferred to the widget. */
  files: { name: string; data: ArrayBuffer }[];
}
export interface SegmentRequest {
  medlens: 1;
  id: string;
  type: 'segment';
  /** A model id from the widget's `ready` capabilities; default: the one already loaded. */
  model?: string;
  box?: [number, number, number, number];
  points?: { x: number; y: number; positive: boolean }[];
}
export interface AskRequest {
  medlens: 1;
  id: string;
  type: 'ask';
  question: string;
  /** A vision-language model id from `ready`; default: the one already loaded. */
  model?: string;
}
export interface SetWindowRequest {
  medlens: 1;
  id: string;
  type: 'setWindow';
  center: number;
  width: number;
}
export interface ClearRequest {
  medlens: 1;
  id: string;
  type: 'clear';
}
/**
 * The displayed series' results as a file: a DICOM SEG of its masks, a PNG label mask of the
 * displayed slice, or JSON of every result with provenance and measurements.
 */
export interface ExportRequest {
  medlens: 1;
  id: string;
  type: 'export';
  format: 'seg' | 'png' | 'json';
}
/** Asks the widget to announce itself again (a host that attached its listener late). */
export interface HelloRequest {
  medlens: 1;
  id: string;
  type: 'hello';
}
export type HostMessage =
  OpenRequest | SegmentRequest | AskRequest | SetWindowRequest | ClearRequest | ExportRequest | HelloRequest;

export interface Capabilities {
  protocol: typeof PROTOCOL_VERSION;
  models: { id: string; name: string; fixture: boolean; task: 'segmentation' | 'vlm' }[];
  webgpu: boolean;
  crossOriginIsolated: boolean;
}
export type SegmentResult = { kind: 'mask'; rle: Rle; bbox: [number, number, number, number] | null; model: string };
export type AnswerResult = {
  kind: 'answer';
  text: string;
  /** Boxes the answer names, in pixels of the image: [x0, y0, x1, y1]. */
  boxes: { label: string; box: [number, number, number, number] }[];
  model: string;
};
/** The exported file; `data` is transferred to the host. */
export type ExportResult = {
  kind: 'export';
  format: ExportRequest['format'];
  name: string;
  mime: string;
  data: ArrayBuffer;
};
export type WidgetMessage =
  | { medlens: 1; type: 'ready'; capabilities: Capabilities }
  | { medlens: 1; id: string; type: 'progress'; stage: string; loaded?: number; total?: number | null }
  | {
      medlens: 1;
      id: string;
      type: 'result';
      result: { kind: 'opened'; images: number } | SegmentResult | AnswerResult | ExportResult | { kind: 'done' };
    }
  | { medlens: 1; id?: string; type: 'error'; code: ErrorCode; message: string };

export type ErrorCode =
  | 'invalid-message'
  | 'unknown-type'
  | 'too-large'
  | 'no-image'
  | 'no-model'
  | 'not-available'
  | 'failed'
  /** A newer segment request replaced this one before it finished. */
  | 'superseded';

export class ProtocolError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const LIMITS = { files: 2000, nameLength: 512, points: 64, questionLength: 4000, idLength: 128 };
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function plainObject(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ProtocolError('invalid-message', `${where} must be an object`);
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null)
    throw new ProtocolError('invalid-message', `${where} must be a plain object`);
  for (const key of Reflect.ownKeys(value)) {
    if (typeof key !== 'string' || FORBIDDEN_KEYS.has(key))
      throw new ProtocolError('invalid-message', `${where} has a forbidden key ${String(key)}`);
  }
  return value as Record<string, unknown>;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function only(obj: Record<string, unknown>, allowed: string[], where: string): void {
  for (const key of Object.keys(obj))
    if (!allowed.includes(key)) throw new ProtocolError('invalid-message', `${where}: unexpected field ${key}`);
}

/** Checks an incoming message field by field; anything else is refused with a reason. */
export function parseHostMessage(data: unknown): HostMessage {
  const msg = plainObject(data, 'message');
  if (msg.medlens !== PROTOCOL_VERSION)
    throw new ProtocolError('invalid-message', `medlens must be ${PROTOCOL_VERSION}`);
  if (typeof msg.id !== 'string' || msg.id.length === 0 || msg.id.length > LIMITS.idLength) {
    throw new ProtocolError('invalid-message', `id must be a string of 1 to ${LIMITS.idLength} characters`);
  }
  const common = ['medlens', 'id', 'type'];
  switch (msg.type) {
    case 'open': {
      only(msg, [...common, 'files'], 'open');
      if (!Array.isArray(msg.files) || msg.files.length === 0)
        throw new ProtocolError('invalid-message', 'open: files must be a non-empty array');
      if (msg.files.length > LIMITS.files) throw new ProtocolError('too-large', `open: at most ${LIMITS.files} files`);
      msg.files.forEach((f, i) => {
        const file = plainObject(f, `open: files[${i}]`);
        only(file, ['name', 'data'], `open: files[${i}]`);
        if (typeof file.name !== 'string' || file.name.length === 0 || file.name.length > LIMITS.nameLength) {
          throw new ProtocolError(
            'invalid-message',
            `open: files[${i}].name must be a string of 1 to ${LIMITS.nameLength} characters`,
          );
        }
        if (!(file.data instanceof ArrayBuffer))
          throw new ProtocolError('invalid-message', `open: files[${i}].data must be an ArrayBuffer`);
      });
      break;
    }
    case 'segment': {
      only(msg, [...common, 'model', 'box', 'points'], 'segment');
      if (msg.model !== undefined && typeof msg.model !== 'string')
        throw new ProtocolError('invalid-message', 'segment: model must be a string');
      if (msg.box !== undefined && !(Array.isArray(msg.box) && msg.box.length === 4 && msg.box.every(finite))) {
        throw new ProtocolError('invalid-message', 'segment: box must be [x0, y0, x1, y1] of finite numbers');
      }
      if (msg.points !== undefined) {
        if (!Array.isArray(msg.points)) throw new ProtocolError('invalid-message', 'segment: points must be an array');
        if (msg.points.length > LIMITS.points)
          throw new ProtocolError('too-large', `segment: at most ${LIMITS.points} points`);
        msg.points.forEach((p, i) => {
          const point = plainObject(p, `segment: points[${i}]`);
          only(point, ['x', 'y', 'positive'], `segment: points[${i}]`);
          if (!finite(point.x) || !finite(point.y) || typeof point.positive !== 'boolean') {
            throw new ProtocolError(
              'invalid-message',
              `segment: points[${i}] needs finite x, y and a boolean positive`,
            );
          }
        });
      }
      if (msg.box === undefined && !(Array.isArray(msg.points) && msg.points.length > 0)) {
        throw new ProtocolError('invalid-message', 'segment: give a box, points, or both');
      }
      break;
    }
    case 'ask':
      only(msg, [...common, 'question', 'model'], 'ask');
      if (msg.model !== undefined && typeof msg.model !== 'string')
        throw new ProtocolError('invalid-message', 'ask: model must be a string');
      if (typeof msg.question !== 'string' || msg.question.length === 0)
        throw new ProtocolError('invalid-message', 'ask: question must be a non-empty string');
      if (msg.question.length > LIMITS.questionLength)
        throw new ProtocolError('too-large', `ask: at most ${LIMITS.questionLength} characters`);
      break;
    case 'setWindow':
      only(msg, [...common, 'center', 'width'], 'setWindow');
      if (!finite(msg.center) || !finite(msg.width) || msg.width <= 0) {
        throw new ProtocolError('invalid-message', 'setWindow: center and width must be finite numbers, width > 0');
      }
      break;
    case 'export':
      only(msg, [...common, 'format'], 'export');
      if (msg.format !== 'seg' && msg.format !== 'png' && msg.format !== 'json')
        throw new ProtocolError('invalid-message', 'export: format must be "seg", "png" or "json"');
      break;
    case 'clear':
    case 'hello':
      only(msg, common, msg.type);
      break;
    default:
      throw new ProtocolError('unknown-type', `unknown message type ${JSON.stringify(String(msg.type)).slice(0, 64)}`);
  }
  return msg as unknown as HostMessage;
}

/** Origins as the host allows them: exact "scheme://host[:port]" strings, nothing else. */
export function parseAllowedOrigins(list: string | null | undefined): Set<string> {
  const origins = new Set<string>();
  for (const item of (list ?? '').split(/[\s,]+/)) {
    if (!item) continue;
    try {
      const url = new URL(item);
      if (url.origin !== 'null' && item.replace(/\/$/, '') === url.origin) origins.add(url.origin);
    } catch {
      // not a URL: ignored
    }
  }
  return origins;
}

/**
 * The origins the widget answers: those the deployment lists in embed-origins.json
 * ({ "allowed": ["https://host.example"] }), narrowed, never widened, by the embedding page's
 * ?allowed=. An unreadable configuration allows nobody.
 */
export function embedAllowlist(config: unknown, narrowing: string | null): Set<string> {
  const listed = (config as { allowed?: unknown } | undefined)?.allowed;
  const deployment = parseAllowedOrigins(
    Array.isArray(listed) ? listed.filter((o) => typeof o === 'string').join(' ') : '',
  );
  if (narrowing === null) return deployment;
  const asked = parseAllowedOrigins(narrowing);
  return new Set([...deployment].filter((origin) => asked.has(origin)));
}
