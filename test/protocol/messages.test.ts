import { describe, expect, it } from 'vitest';
import {
  embedAllowlist,
  LIMITS,
  parseAllowedOrigins,
  parseHostMessage,
  ProtocolError,
} from '../../src/lib/protocol/messages';
import { decodeRle, encodeRle, maskBounds } from '../../src/lib/overlays/rle';

const base = { medlens: 1, id: 'r1' };

describe('parseHostMessage', () => {
  it('accepts each well-formed request', () => {
    expect(parseHostMessage({ ...base, type: 'open', files: [{ name: 'a.dcm', data: new ArrayBuffer(4) }] }).type).toBe(
      'open',
    );
    expect(parseHostMessage({ ...base, type: 'segment', box: [1, 2, 3, 4] }).type).toBe('segment');
    expect(
      parseHostMessage({ ...base, type: 'segment', model: 'm', points: [{ x: 1, y: 2, positive: true }] }).type,
    ).toBe('segment');
    expect(parseHostMessage({ ...base, type: 'ask', question: 'Is there a pneumothorax?' }).type).toBe('ask');
    expect(parseHostMessage({ ...base, type: 'setWindow', center: 40, width: 400 }).type).toBe('setWindow');
    expect(parseHostMessage({ ...base, type: 'clear' }).type).toBe('clear');
    expect(parseHostMessage({ ...base, type: 'hello' }).type).toBe('hello');
    for (const format of ['seg', 'png', 'json']) {
      expect(parseHostMessage({ ...base, type: 'export', format })).toMatchObject({ type: 'export', format });
    }
  });

  const bad: [string, unknown, string, RegExp][] = [
    ['not an object', 'open', 'invalid-message', /must be an object/],
    ['an array', [1], 'invalid-message', /must be an object/],
    ['no version', { id: 'x', type: 'clear' }, 'invalid-message', /medlens must be 1/],
    ['a future version', { ...base, medlens: 2, type: 'clear' }, 'invalid-message', /medlens must be 1/],
    ['no id', { medlens: 1, type: 'clear' }, 'invalid-message', /id must be a string/],
    ['a huge id', { ...base, id: 'x'.repeat(1000), type: 'clear' }, 'invalid-message', /id must be a string/],
    ['an unknown type', { ...base, type: 'delete' }, 'unknown-type', /unknown message type "delete"/],
    ['open without files', { ...base, type: 'open' }, 'invalid-message', /files must be a non-empty array/],
    [
      'file data not a buffer',
      { ...base, type: 'open', files: [{ name: 'a', data: [1, 2] }] },
      'invalid-message',
      /ArrayBuffer/,
    ],
    [
      'too many files',
      { ...base, type: 'open', files: Array(LIMITS.files + 1).fill({ name: 'a', data: new ArrayBuffer(0) }) },
      'too-large',
      /at most/,
    ],
    ['a box of strings', { ...base, type: 'segment', box: ['1', 2, 3, 4] }, 'invalid-message', /finite numbers/],
    ['a NaN box', { ...base, type: 'segment', box: [NaN, 2, 3, 4] }, 'invalid-message', /finite numbers/],
    [
      'too many points',
      { ...base, type: 'segment', points: Array(LIMITS.points + 1).fill({ x: 1, y: 1, positive: true }) },
      'too-large',
      /at most 64 points/,
    ],
    ['no prompt', { ...base, type: 'segment' }, 'invalid-message', /give a box, points, or both/],
    ['an extra field', { ...base, type: 'clear', extra: 1 }, 'invalid-message', /unexpected field extra/],
    [
      'a __proto__ key',
      JSON.parse('{"medlens":1,"id":"r","type":"clear","__proto__":{"polluted":true}}'),
      'invalid-message',
      /forbidden key __proto__/,
    ],
    [
      'a constructor key',
      { ...base, type: 'segment', box: [1, 2, 3, 4], constructor: {} },
      'invalid-message',
      /forbidden key constructor/,
    ],
    ['a class instance', Object.assign(new (class X {})(), base, { type: 'clear' }), 'invalid-message', /plain object/],
    ['an export without format', { ...base, type: 'export' }, 'invalid-message', /format must be/],
    ['an unknown export format', { ...base, type: 'export', format: 'nifti' }, 'invalid-message', /format must be/],
    ['a zero window', { ...base, type: 'setWindow', center: 0, width: 0 }, 'invalid-message', /width > 0/],
    [
      'a long question',
      { ...base, type: 'ask', question: 'x'.repeat(LIMITS.questionLength + 1) },
      'too-large',
      /at most/,
    ],
  ];
  for (const [what, message, code, reason] of bad) {
    it(`refuses ${what}`, () => {
      let thrown: unknown;
      try {
        parseHostMessage(message);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ProtocolError);
      expect((thrown as ProtocolError).code).toBe(code);
      expect((thrown as ProtocolError).message).toMatch(reason);
    });
  }

  it('never lets a message pollute Object.prototype', () => {
    try {
      parseHostMessage(
        JSON.parse(
          '{"medlens":1,"id":"r","type":"segment","points":[{"x":1,"y":1,"positive":true,"__proto__":{"polluted":1}}]}',
        ),
      );
    } catch {
      // refused, as it must be
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

it('parses an allowlist of exact origins only', () => {
  expect([
    ...parseAllowedOrigins(
      'https://a.example, http://127.0.0.1:8080  https://b.example/ nonsense https://c.example/path *',
    ),
  ]).toEqual(['https://a.example', 'http://127.0.0.1:8080', 'https://b.example']);
  expect(parseAllowedOrigins(null).size).toBe(0);
});

it('round-trips masks through COCO-style column-major RLE', () => {
  const width = 5;
  const height = 3;
  const mask = Uint8Array.from([0, 1, 1, 0, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 1]);
  const rle = encodeRle(mask, width, height);
  expect(rle.size).toEqual([3, 5]);
  // Column by column: (0,0,0) (1,1,0) (1,1,0) (0,0,0) (0,1,1)
  expect(rle.counts).toEqual([3, 2, 1, 2, 5, 2]);
  expect(decodeRle(rle)).toEqual(mask);
  expect(maskBounds(mask, width, height)).toEqual([1, 0, 5, 3]);
  expect(maskBounds(new Uint8Array(4), 2, 2)).toBeUndefined();
});

it('lets the embedding URL narrow the deployment allowlist, never widen it', () => {
  const config = { allowed: ['https://a.example', 'https://b.example', 'not a url', 42] };
  expect([...embedAllowlist(config, null)]).toEqual(['https://a.example', 'https://b.example']);
  expect([...embedAllowlist(config, 'https://b.example https://evil.example')]).toEqual(['https://b.example']);
  expect([...embedAllowlist(config, 'https://evil.example')]).toEqual([]);
  expect([...embedAllowlist(undefined, 'https://evil.example')]).toEqual([]);
  expect([...embedAllowlist({ allowed: 'https://a.example' }, null)]).toEqual([]);
});
