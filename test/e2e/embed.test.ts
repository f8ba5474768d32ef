import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { launch, recordRequests, serveBuiltApp } from './browser';
import { allowInWidget, serveHost } from './host-server';
import { fixturePath } from '../imaging/fixtures';
import { decodeRle, type Rle } from '../../src/lib/overlays/rle';

let server: PreviewServer;
let app: string;
let browser: Browser;
let allowedHost: Awaited<ReturnType<typeof serveHost>>;
let otherHost: Awaited<ReturnType<typeof serveHost>>;
let page: Page;
let restoreOrigins: () => void;

const DICOM = [...readFileSync(fixturePath('generated/nonsquare-512x256.dcm'))];

beforeAll(async () => {
  ({ url: app, server } = await serveBuiltApp());
  browser = await launch();
  allowedHost = await serveHost();
  otherHost = await serveHost();
  restoreOrigins = allowInWidget([allowedHost.origin]);
  page = await browser.newPage();
  const widget = `${app}embed.html?allowed=${encodeURIComponent(allowedHost.origin)}`;
  await page.goto(`${allowedHost.origin}/?widget=${encodeURIComponent(widget)}`);
});
afterAll(async () => {
  restoreOrigins?.();
  await browser?.close();
  await server?.close();
  await allowedHost?.close();
  await otherHost?.close();
});

it('connects from a host on another origin and reports capabilities', async () => {
  const caps = await page.evaluate(async () => (await window.viewerPromise).capabilities);
  expect(caps.protocol).toBe(1);
  expect(caps.models.map((m: { id: string }) => m.id)).toContain('test-sam-tiny');
  expect(caps.models.find((m: { id: string }) => m.id === 'test-sam-tiny')?.fixture).toBe(true);
});

it('opens a transferred DICOM and returns a box mask as RLE', async () => {
  const opened = await page.evaluate(async (bytes) => {
    const viewer = await window.viewerPromise;
    const buffer = new Uint8Array(bytes).buffer;
    const result = await viewer.open(buffer, 'nonsquare.dcm');
    return { ...result, detached: buffer.byteLength === 0 };
  }, DICOM);
  expect(opened).toEqual({ images: 1, detached: true });
  const result = await page.evaluate(async () => {
    const viewer = await window.viewerPromise;
    const stages: string[] = [];
    const mask = await viewer.segment({ model: 'test-sam-tiny', box: [100, 40, 330, 200] }, (s: string) =>
      stages.push(s),
    );
    return { ...mask, stages };
  });
  expect(result.model).toBe('test-sam-tiny');
  expect(result.stages).toEqual(['loading model', 'segmenting']);
  expect(result.bbox).toEqual([100, 40, 330, 200]);
  const mask = decodeRle(result.rle as Rle);
  let inside = 0;
  mask.forEach((v) => (inside += v));
  expect(inside).toBe(230 * 160);
});

it('answers every malformed message with an error, and keeps working', async () => {
  const answers = await page.evaluate(async (appOrigin) => {
    const frame = (document.getElementById('widget') as HTMLIFrameElement).contentWindow!;
    const bad: unknown[] = [
      'not an object',
      42,
      null,
      [1, 2, 3],
      { medlens: 1, id: 'f1', type: 'segment', box: 'everything' },
      {
        medlens: 1,
        id: 'f2',
        type: 'segment',
        points: Array.from({ length: 100000 }, () => ({ x: 1, y: 1, positive: true })),
      },
      { medlens: 1, id: 'f3', type: 'open', files: [{ name: 'x.dcm' }] },
      { medlens: 1, id: 'f4', type: 'open' },
      { medlens: 1, id: 'f5', type: 'setWindow', center: 'high' },
      { medlens: 1, id: 'f6', type: 'launchMissiles' },
      { medlens: 2, id: 'f7', type: 'clear' },
      JSON.parse('{"medlens":1,"id":"f8","type":"clear","__proto__":{"polluted":true}}'),
      JSON.parse(
        '{"medlens":1,"id":"f9","type":"segment","points":[{"x":1,"y":2,"positive":true,"constructor":{"prototype":{"polluted":true}}}]}',
      ),
      { medlens: 1, id: 'f10', type: 'ask', question: 'Is there a pneumothorax?' },
      { medlens: 1, id: 'f11', type: 'segment', model: 'no-such-model', box: [0, 0, 5, 5] },
    ];
    const before = window.replies.length;
    for (const message of bad) frame.postMessage(message, appOrigin);
    const deadline = Date.now() + 20000;
    while (window.replies.length - before < bad.length && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const replies = window.replies.slice(before).map((r) => ({ origin: r.origin, ...(r.data as { id?: string }) }));
    return { replies, polluted: ({} as Record<string, unknown>).polluted };
  }, new URL(app).origin);
  expect(answers.polluted).toBeUndefined();
  expect(answers.replies).toHaveLength(15);
  for (const reply of answers.replies) {
    expect(reply).toMatchObject({ origin: new URL(app).origin, medlens: 1, type: 'error' });
  }
  const byId = Object.fromEntries(answers.replies.filter((r) => r.id).map((r) => [r.id, r]));
  expect(byId.f2).toMatchObject({ code: 'too-large' });
  expect(byId.f6).toMatchObject({ code: 'unknown-type' });
  expect(byId.f10).toMatchObject({ code: 'no-model' });
  expect(byId.f11).toMatchObject({ code: 'no-model', message: expect.stringMatching(/no model no-such-model/) });
  const again = await page.evaluate(async () => (await window.viewerPromise).segment({ box: [10, 10, 20, 20] }));
  expect(again.bbox).toEqual([10, 10, 20, 20]);
});

it('answers a question with text and boxes from the VLM', async () => {
  const answer = await page.evaluate(async () =>
    (await window.viewerPromise).ask('Where is the tuberculosis?', { model: 'test-medgemma-tiny' }),
  );
  expect(answer.model).toBe('test-medgemma-tiny');
  expect(answer.text).toMatch(/Final Answer:/);
  // box_2d [248, 746, 335, 824] on the 512×256 image padded to a 512 square (64 px above and below).
  expect(answer.boxes).toHaveLength(1);
  const [x0, y0, x1, y1] = answer.boxes[0]!.box;
  expect([x0, x1]).toEqual([(746 / 1000) * 512, (824 / 1000) * 512]);
  expect(y0).toBe(0); // 248/1000·512 − 128 < 0: the box starts in the padding and is clipped
  expect(y1).toBeCloseTo((335 / 1000) * 512 - 128, 6);
});

it('serves only the origins its deployment lists, whatever the embedding URL says', async () => {
  // The list is embed-origins.json beside embed.html: ?allowed= only narrows it. Narrowed to an
  // origin the deployment does not list, even the listed host gets no answer.
  const narrowed = await browser.newPage();
  const trick = `${app}embed.html?allowed=${encodeURIComponent(otherHost.origin)}#allowed=${allowedHost.origin}`;
  await narrowed.goto(`${allowedHost.origin}/?widget=${encodeURIComponent(trick)}&timeout=3000`);
  expect(
    await narrowed.evaluate(() =>
      window.viewerPromise.then(
        () => 'connected',
        (e: Error) => e.message,
      ),
    ),
  ).toMatch(/no answer from the widget/);
  await narrowed.close();
  // A non-listed origin cannot even frame it (frame-ancestors from the same list).
  const framing = await browser.newPage();
  await framing.goto(`${otherHost.origin}/?widget=${encodeURIComponent(`${app}embed.html`)}&timeout=2000`);
  const frame = framing.frames().find((f) => f !== framing.mainFrame())!;
  expect(await frame.evaluate(() => document.title).catch(() => 'blocked')).not.toBe('medlens widget');
  await framing.close();
});

it('does not answer an origin outside the allowlist', async () => {
  const other = await browser.newPage();
  const widget = `${app}embed.html?allowed=${encodeURIComponent(otherHost.origin)}`;
  await other.goto(`${otherHost.origin}/?widget=${encodeURIComponent(widget)}&timeout=4000`);
  const outcome = await other.evaluate(async (appOrigin) => {
    const error = await window.viewerPromise.then(
      () => 'connected',
      (e: Error) => e.message,
    );
    const frame = (document.getElementById('widget') as HTMLIFrameElement).contentWindow!;
    frame.postMessage({ medlens: 1, id: 'x1', type: 'clear' }, appOrigin);
    frame.postMessage({ medlens: 1, id: 'x2', type: 'hello' }, appOrigin);
    frame.postMessage({ medlens: 1, id: 'x3', type: 'export', format: 'seg' }, appOrigin);
    frame.postMessage('garbage', appOrigin);
    await new Promise((r) => setTimeout(r, 2000));
    return { error, replies: window.replies.filter((r) => r.origin === appOrigin).length };
  }, new URL(app).origin);
  expect(outcome.error).toMatch(/no answer from the widget/);
  expect(outcome.replies).toBe(0);
  await other.close();
});

it('answers every one of many concurrent requests: one model load, the newest mask, the rest superseded', async () => {
  const context = await browser.newContext();
  const requests = recordRequests(context);
  const host = await context.newPage();
  const widget = `${app}embed.html?allowed=${encodeURIComponent(allowedHost.origin)}`;
  await host.goto(`${allowedHost.origin}/?widget=${encodeURIComponent(widget)}`);
  const outcome = await host.evaluate(async (bytes) => {
    const viewer = await window.viewerPromise;
    await viewer.open(new Uint8Array(bytes).buffer, 'nonsquare.dcm');
    const settle = <T>(p: Promise<T>) =>
      p.then(
        (value) => ({ ok: true as const, value }),
        (error: Error & { code?: string }) => ({ ok: false as const, code: error.code, message: error.message }),
      );
    const segments = await Promise.all(
      [...Array(50).keys()].map((i) => settle(viewer.segment({ model: 'test-sam-tiny', box: [10, 10, 60 + i, 60] }))),
    );
    const answers = await Promise.all(
      [...Array(20).keys()].map((i) => settle(viewer.ask(`Question ${i}?`, { model: 'test-medgemma-tiny' }))),
    );
    return {
      segments: segments.map((s) => (s.ok ? `result ${s.value.bbox?.join(',')}` : s.code)),
      answers: answers.map((a) => (a.ok ? 'answer' : `${a.code}: ${a.message}`)),
    };
  }, DICOM);
  expect(outcome.segments.at(-1)).toBe('result 10,10,109,60');
  expect(outcome.segments.slice(0, -1)).toEqual(Array(49).fill('superseded'));
  expect(outcome.answers).toEqual(Array(20).fill('answer'));
  // Each model was loaded once: one request per model file.
  const fetched = (path: string) => requests.filter((r) => r.url().endsWith(path)).length;
  expect(fetched('/models/test-sam-tiny/encoder.onnx')).toBe(1);
  expect(fetched('/models/test-medgemma-tiny/onnx/decoder_model_merged.onnx')).toBe(1);
  await context.close();
});

it('answers a message sent before the widget was ready', async () => {
  const other = await browser.newPage();
  await other.goto(`${allowedHost.origin}/?widget=about:blank`);
  const reply = await other.evaluate(
    async (widget) => {
      const frame = document.createElement('iframe');
      frame.src = widget;
      const replies: unknown[] = [];
      window.addEventListener('message', (e) => replies.push(e.data));
      // Sent the moment the document has loaded, while the widget still reads its model list.
      frame.addEventListener('load', () =>
        frame.contentWindow!.postMessage({ medlens: 1, id: 'early', type: 'clear' }, new URL(widget).origin),
      );
      document.body.append(frame);
      for (let i = 0; i < 100 && !replies.some((r) => (r as { id?: string }).id === 'early'); i++)
        await new Promise((r) => setTimeout(r, 100));
      return replies.find((r) => (r as { id?: string }).id === 'early');
    },
    `${app}embed.html?allowed=${encodeURIComponent(allowedHost.origin)}`,
  );
  expect(reply).toMatchObject({ medlens: 1, id: 'early', type: 'result', result: { kind: 'done' } });
  await other.close();
});

it('rejects a request the widget never answers, after the request timeout', async () => {
  const other = await browser.newPage();
  const widget = `${app}embed.html?allowed=${encodeURIComponent(allowedHost.origin)}`;
  await other.goto(`${allowedHost.origin}/?widget=${encodeURIComponent(widget)}&requestTimeout=1500`);
  const outcome = await other.evaluate(async () => {
    const viewer = await window.viewerPromise;
    // The widget goes away: nothing will answer.
    (document.getElementById('widget') as HTMLIFrameElement).src = 'about:blank';
    await new Promise((r) => setTimeout(r, 300));
    return viewer.clear().then(
      () => 'answered',
      (e: Error & { code?: string }) => `${e.code}: ${e.message}`,
    );
  });
  expect(outcome).toBe('timeout: no answer to clear from the widget within 1.5 s');
  await other.close();
});
