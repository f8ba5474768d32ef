import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import api from '../../workers/segment.worker';
import { parseManifest, type SegmentationModel } from '../../src/lib/models/manifest';
import { samEncoderInput, type DisplayedImage } from '../../src/lib/models/sam-preprocess';
import { decodeDicom } from '../../src/lib/imaging/dicom/decode-dicom';
import { defaultWindow, renderFrame } from '../../src/lib/imaging/window';
import { fixtureBytes } from '../imaging/fixtures';
import { serveModels } from '../models/model-server';

const models = parseManifest(JSON.parse(readFileSync(new URL('../../models/manifest.json', import.meta.url), 'utf8')));
const model = (id: string) => models.find((m) => m.id === id) as SegmentationModel;
let server: Awaited<ReturnType<typeof serveModels>>;
let image: DisplayedImage;

beforeAll(async () => {
  server = await serveModels();
  const dicom = await decodeDicom(fixtureBytes('generated/nonsquare-512x256.dcm'), 'nonsquare');
  image = {
    width: dicom.width,
    height: dicom.height,
    rgba: renderFrame(dicom, 0, { window: defaultWindow(dicom), invert: false }),
  };
});
afterAll(() => server?.close());

/** Pixels whose centre lies inside the box: what the analytic decoder must return. */
function boxMask(w: number, h: number, b: { x0: number; y0: number; x1: number; y1: number }): Uint8Array {
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      out[y * w + x] = x + 0.5 > b.x0 && x + 0.5 < b.x1 && y + 0.5 > b.y0 && y + 0.5 < b.y1 ? 1 : 0;
  return out;
}

function differing(a: Uint8Array, b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

describe.each(['test-sam-tiny', 'test-litemedsam-tiny'])('%s through the segment worker (ORT WASM)', (id) => {
  const m = () => model(id) as SegmentationModel;

  it('loads from the server with sha256 checks', async () => {
    const progress: string[] = [];
    const result = await api.load(m(), { baseUrl: server.baseUrl }, 'auto', (p) => progress.push(p.file));
    expect(result).toMatchObject({
      backend: { provider: 'wasm', threads: 1 },
      verified: true,
      model: expect.stringMatching(/test model, random weights/),
    });
    expect(progress).toEqual(expect.arrayContaining(['encoder.onnx', 'decoder.onnx']));
  });

  it('encodes the displayed pixels once and segments a box exactly', async () => {
    const key = `nonsquare#0#${id}`;
    const first = await api.encode(key, image);
    expect(first.cached).toBe(false);
    expect((await api.encode(key, image)).cached).toBe(true);
    const box = { x0: 100.2, y0: 40.7, x1: 330.5, y1: 201.3 };
    const result = await api.decode(key, { points: [], box }, { width: 512, height: 256 }, 1, false);
    if (result.stale) throw new Error('unexpected stale result');
    expect([result.width, result.height]).toEqual([512, 256]);
    expect(differing(result.mask, boxMask(512, 256, box))).toBe(0);
    // The fixture's iou output is the mean of its embedding: proof that our pixels were encoded.
    const input = samEncoderInput(image, m());
    const plane = m().inputSize ** 2;
    const channelMean = (c: number) => input.subarray(c * plane, (c + 1) * plane).reduce((s, v) => s + v, 0) / plane;
    const expected = [...Array(8).keys()].reduce((s, c) => s + (1 + c / 8) * channelMean(c % 3), 0) / 8;
    expect(result.iou).toBeCloseTo(expected, 4);
  });

  it('segments a positive point as a disk centred on it, and a negative point cuts it', async () => {
    const key = `nonsquare#0#${id}`;
    const click = { x: 256.5, y: 128.5 };
    const disk = await api.decode(
      key,
      { points: [{ ...click, positive: true }] },
      { width: 512, height: 256 },
      2,
      false,
    );
    if (disk.stale) throw new Error('unexpected stale result');
    let n = 0;
    let sx = 0;
    let sy = 0;
    disk.mask.forEach((v, i) => {
      if (v) {
        n++;
        sx += (i % 512) + 0.5;
        sy += Math.floor(i / 512) + 0.5;
      }
    });
    const radius = 512 / 8; // S/8 in the input frame = longest side / 8 in the image
    expect(Math.abs(n - Math.PI * radius * radius) / n).toBeLessThan(0.02);
    expect(Math.abs(sx / n - click.x)).toBeLessThan(1);
    expect(Math.abs(sy / n - click.y)).toBeLessThan(1);
    const cut = await api.decode(
      key,
      {
        points: [
          { ...click, positive: true },
          { x: click.x + radius, y: click.y, positive: false },
        ],
      },
      { width: 512, height: 256 },
      3,
      true,
    );
    if (cut.stale) throw new Error('unexpected stale result');
    expect(cut.mask[128 * 512 + 256 + 60]).toBe(0);
    expect(cut.mask[128 * 512 + 256 - 60]).toBe(1);
  });

  it('runs only the newest of a burst of prompts (a box drag), with no new encode', async () => {
    const key = `nonsquare#0#${id}`;
    const before = await api.stats();
    const boxes = [...Array(12).keys()].map((i) => ({ x0: 50, y0: 30, x1: 120 + 20 * i, y1: 90 + 10 * i }));
    const results = await Promise.all(
      boxes.map((box, i) => api.decode(key, { points: [], box }, { width: 512, height: 256 }, 100 + i, false)),
    );
    const after = await api.stats();
    const last = results.at(-1)!;
    if (last.stale) throw new Error('the newest prompt must run');
    expect(differing(last.mask, boxMask(512, 256, boxes.at(-1)!))).toBe(0);
    expect(results.filter((r) => r.stale).length).toBeGreaterThan(0);
    expect(after.decodes - before.decodes).toBeGreaterThanOrEqual(1);
    expect(after.decodes - before.decodes + after.skipped - before.skipped).toBe(12);
    expect(after.encodes).toBe(before.encodes);
  });
});

describe('failures are reported, and the worker keeps working', () => {
  it('says where a missing model was looked for and how to add it', async () => {
    await expect(api.load(model('medsam-vit-b'), { baseUrl: server.baseUrl }, 'auto', () => {})).rejects.toThrow(
      /MedSAM \(ViT-B, 1024\): encoder\.onnx was not found at http:\/\/127\.0\.0\.1:\d+\/models\/medsam-vit-b\/encoder\.onnx \(HTTP 404\)\. Put encoder\.onnx and decoder\.onnx in models\/medsam-vit-b\//,
    );
  });

  it('refuses picked files whose sha256 differs from the manifest', async () => {
    const picked = new Map([
      ['encoder.onnx', new Uint8Array(349)],
      [
        'decoder.onnx',
        new Uint8Array(readFileSync(new URL('../../models/test-sam-tiny/decoder.onnx', import.meta.url))),
      ],
    ]);
    await expect(
      api.load(model('test-sam-tiny'), { baseUrl: server.baseUrl, picked }, 'auto', () => {}),
    ).rejects.toThrow(/encoder\.onnx from the picked files has sha256 [0-9a-f]{64}, the manifest says ee45/);
  });

  it('rejects a prompt before any model, then loads and segments', async () => {
    await api.dispose();
    await expect(api.encode('k', image)).rejects.toThrow(/no segmentation model is loaded/);
    await api.load(model('test-sam-tiny'), { baseUrl: server.baseUrl }, 'wasm', () => {});
    await api.encode('k', image);
    await expect(api.decode('k', { points: [] }, { width: 512, height: 256 }, 1000, false)).rejects.toThrow(
      /no point and no box/,
    );
    const ok = await api.decode(
      'k',
      { points: [], box: { x0: 0, y0: 0, x1: 10, y1: 10 } },
      { width: 512, height: 256 },
      1001,
      false,
    );
    expect(ok.stale).toBe(false);
  });
});
