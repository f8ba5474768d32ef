import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame, Page } from 'playwright-core';
import { builtAppAndBrowser } from './browser';
import { allowInWidget, serveHost } from './host-server';
import { fixturePath } from '../imaging/fixtures';

// Two different studies' files that share a name, as IM0001.dcm often does: A is 512×256, B 96×64.
const A = readFileSync(fixturePath('generated/nonsquare-512x256.dcm'));
const B = readFileSync(fixturePath('generated/series/ct-a.dcm'));
const NAME = 'IM0001.dcm';
const BOX_A = { x0: 100, y0: 40, x1: 330, y1: 200 };
const BOX_B = { x0: 10, y0: 8, x1: 50, y1: 40 };
const SLOW = { timeout: 120_000, interval: 100 };

const app = builtAppAndBrowser();

/** What the viewer holds for each opened image, read from its state in the page (or widget frame). */
function read(target: Page | Frame) {
  return target.evaluate(async () => {
    const { viewer, overlay, segmentation, ask } = window.medlens;
    const slices = viewer.stacks.map((s) => s.slices[0]!);
    const masks = slices.map((s) =>
      overlay
        .list(s.id)
        .filter((o) => o.kind === 'mask')
        .map((m) => {
          if (m.kind !== 'mask') return undefined;
          let inside = 0;
          m.data.forEach((v) => (inside += v ? 1 : 0));
          return { width: m.width, height: m.height, inside };
        }),
    );
    return {
      ids: slices.map((s) => s.id),
      names: slices.map((s) => s.image.name),
      shown: viewer.slice?.id,
      shownOverlays: viewer.overlays.map((o) => ({ image: o.image, kind: o.kind, label: o.label })),
      masks,
      encodes: (await segmentation.stats()).encodes,
      conversation: ask.conversation.map((t) => t.text),
    };
  });
}

const area = (b: typeof BOX_A) => (b.x1 - b.x0) * (b.y1 - b.y0);

describe('in the app', () => {
  let page: Page;

  beforeAll(async () => {
    page = await app.browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(app.url);
    // Opened one after the other, as from two folders.
    for (const [i, buffer] of [A, B].entries()) {
      await page.getByTestId('file-input').setInputFiles([{ name: NAME, mimeType: 'application/dicom', buffer }]);
      await page.waitForFunction((n) => window.medlens.viewer.stacks.length === n, i + 1);
    }
    await page.getByTestId('segment-model').selectOption('test-sam-tiny');
    await page.getByTestId('segment-backend-choice').selectOption('wasm');
    await page.getByTestId('segment-load').click();
    await page.getByTestId('segment-backend').waitFor({ timeout: 60_000 });
  });

  it('gives two files of one name two ids, two encodes and a mask each', async () => {
    const select = (i: number) => page.evaluate((i) => window.medlens.viewer.selectStack(i), i);
    const segment = (box: typeof BOX_A) =>
      page.evaluate((box) => window.medlens.segmentation.run({ points: [], box }), box);
    await select(0);
    await segment(BOX_A);
    await select(1);
    await segment(BOX_B);
    const state = await read(page);
    expect(state.names).toEqual([NAME, NAME]);
    expect(new Set(state.ids).size).toBe(2);
    expect(state.encodes).toBe(2);
    expect(state.masks).toEqual([
      [{ width: 512, height: 256, inside: area(BOX_A) }],
      [{ width: 96, height: 64, inside: area(BOX_B) }],
    ]);
    // Only the displayed image's mask and prompt are drawn.
    expect(state.shownOverlays.every((o) => o.image === state.ids[1])).toBe(true);
    expect(state.shownOverlays.some((o) => o.kind === 'mask')).toBe(true);
  });

  it("keeps the VLM's box and conversation on the image asked about", async () => {
    await page.evaluate(() => window.medlens.viewer.selectStack(0));
    await page.getByTestId('ask-model').selectOption('test-medgemma-tiny');
    await page.getByTestId('ask-backend-choice').selectOption('wasm');
    await page.getByTestId('ask-question').fill('Where is the finding?');
    await page.getByTestId('ask-submit').click();
    const chat = page.getByTestId('ask-chat');
    await expect.poll(async () => (await read(page)).conversation.length, SLOW).toBe(2);
    const onA = await read(page);
    expect(await chat.textContent()).toMatch(/box_2d/);
    expect(onA.shownOverlays.filter((o) => o.kind === 'box' && o.label === 'active tuberculosis')).toHaveLength(1);
    expect(onA.conversation).toHaveLength(2);

    await page.evaluate(() => window.medlens.viewer.selectStack(1));
    const onB = await read(page);
    expect(onB.shown).toBe(onA.ids[1]);
    expect(onB.shownOverlays.filter((o) => o.image !== onB.shown)).toEqual([]);
    expect(onB.shownOverlays.some((o) => o.label === 'active tuberculosis')).toBe(false);
    expect(onB.conversation).toEqual([]);
    expect(await chat.textContent()).not.toMatch(/box_2d/);

    await page.evaluate(() => window.medlens.viewer.selectStack(0));
    const back = await read(page);
    expect(back.shownOverlays.filter((o) => o.label === 'active tuberculosis')).toHaveLength(1);
    expect(back.conversation).toEqual(onA.conversation);
    expect(await chat.textContent()).toMatch(/box_2d/);
  });
});

describe('in the embed widget', () => {
  let host: Awaited<ReturnType<typeof serveHost>>;
  let restore: () => void;
  let page: Page;
  let widget: Frame;

  beforeAll(async () => {
    host = await serveHost();
    restore = allowInWidget([host.origin]);
    page = await app.browser.newPage();
    const src = `${app.url}embed.html?allowed=${encodeURIComponent(host.origin)}`;
    await page.goto(`${host.origin}/?widget=${encodeURIComponent(src)}`);
    await page.evaluate(() => window.viewerPromise);
    widget = page.frames().find((f) => f.url().startsWith(`${app.url}embed.html`))!;
  });
  afterAll(async () => {
    restore?.();
    await host?.close();
  });

  it('keeps masks, boxes and answers on their own image', async () => {
    const open = (bytes: number[]) =>
      page.evaluate(async ({ bytes, name }) => (await window.viewerPromise).open(new Uint8Array(bytes).buffer, name), {
        bytes,
        name: NAME,
      });
    const segment = (box: typeof BOX_A) =>
      page.evaluate(
        async (box) =>
          (await window.viewerPromise).segment({ model: 'test-sam-tiny', box: [box.x0, box.y0, box.x1, box.y1] }),
        box,
      );
    await open([...A]);
    const maskA = await segment(BOX_A);
    await open([...B]);
    const maskB = await segment(BOX_B);
    expect(maskA.bbox).toEqual(Object.values(BOX_A));
    expect(maskB.bbox).toEqual(Object.values(BOX_B));
    const answer = await page.evaluate(async () =>
      (await window.viewerPromise).ask('Where?', { model: 'test-medgemma-tiny' }),
    );
    expect(answer.boxes).toHaveLength(1);

    const onB = await read(widget);
    expect(onB.encodes).toBe(2);
    expect(onB.shownOverlays.map((o) => o.image)).toEqual(onB.shownOverlays.map(() => onB.ids[1]));
    expect(onB.shownOverlays.some((o) => o.label === 'active tuberculosis')).toBe(true);

    await widget.evaluate(() => window.medlens.viewer.selectStack(0));
    const onA = await read(widget);
    expect(onA.shownOverlays.every((o) => o.image === onA.ids[0])).toBe(true);
    expect(onA.shownOverlays.some((o) => o.label === 'active tuberculosis')).toBe(false);
    expect(onA.masks[0]).toEqual([{ width: 512, height: 256, inside: area(BOX_A) }]);
    expect(onA.conversation).toEqual([]);
  });
});
