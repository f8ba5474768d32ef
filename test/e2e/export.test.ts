import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page, Request } from 'playwright-core';
import { builtAppAndBrowser, foreignRequests, recordRequests } from './browser';
import { allowInWidget, serveHost } from './host-server';
import { fixturePath } from '../imaging/fixtures';
import { decodeDicom } from '../../src/lib/imaging/dicom/decode-dicom';

const SERIES = readdirSync(fixturePath('generated/series'))
  .sort()
  .map((n) => fixturePath(`generated/series/${n}`));
const BOXES = [
  { x0: 20, y0: 14, x1: 70, y1: 50 },
  { x0: 30, y0: 20, x1: 60, y1: 44 },
  { x0: 10, y0: 10, x1: 40, y1: 30 },
];
const manifest = JSON.parse(readFileSync(fixturePath('../../models/manifest.json'), 'utf8'));

/** The fixture's model sha256, computed here the way `sha256sum * | LC_ALL=C sort | sha256sum` would. */
function fixtureSha256(id: string): string {
  const files = manifest.models.find((m: { id: string }) => m.id === id).files as { name: string; sha256: string }[];
  const listing = files
    .map((f) => `${f.sha256}  ${f.name}\n`)
    .sort()
    .join('');
  return createHash('sha256').update(listing).digest('hex');
}

const app = builtAppAndBrowser();

/** Masks in the page, by the SOP Instance UID of the image they are on. */
function masksByInstance(page: Page) {
  return page.evaluate(() => {
    const { viewer } = window.medlens;
    const out: Record<string, { label: string; data: number[] }> = {};
    for (const slice of viewer.stacks.flatMap((s) => s.slices)) {
      for (const o of viewer.allOverlays) {
        if (o.image === slice.id && o.kind === 'mask')
          out[slice.image.instanceUid!] = { label: o.label, data: Array.from(o.data) };
      }
    }
    return out;
  });
}

describe('in the app', () => {
  let page: Page;
  let requests: Request[];
  let made: Awaited<ReturnType<typeof masksByInstance>>;

  beforeAll(async () => {
    const context = await app.browser.newContext({ viewport: { width: 1280, height: 720 }, acceptDownloads: true });
    requests = recordRequests(context);
    page = await context.newPage();
    await page.goto(app.url);
    await page.getByTestId('file-input').setInputFiles(SERIES);
    await page.waitForFunction(() => window.medlens.viewer.stack?.slices.length === 5);
    await page.getByTestId('segment-model').selectOption('test-sam-tiny');
    await page.getByTestId('segment-backend-choice').selectOption('wasm');
    await page.getByTestId('segment-load').click();
    await page.getByTestId('segment-backend').waitFor({ timeout: 60_000 });
    // A box on slices 2, 3 and 4; the mask of the fixture model is the box region.
    for (const [i, box] of BOXES.entries()) {
      await page.evaluate(
        async ({ i, box }) => {
          const { viewer, segmentation } = window.medlens;
          viewer.scroll(-Infinity);
          viewer.scroll(i + 1);
          await segmentation.run({ points: [], box });
        },
        { i, box },
      );
    }
    made = await masksByInstance(page);
  });

  it('shows area and values beside each mask, and the volume across slices', async () => {
    expect(Object.keys(made)).toHaveLength(3);
    const measure = await page.getByTestId('result-mask').getByTestId('result-measure').textContent();
    // Slice 4's box is 30 × 20 px of 0.7 × 0.8 mm: 336 mm².
    expect(measure).toMatch(/^336 mm² · -?\d+\.\d ± \d+\.\d HU/);
    expect(await page.getByTestId('result-mask').textContent()).toMatch(
      new RegExp(`sha256 ${fixtureSha256('test-sam-tiny').slice(0, 12)} from a box`),
    );
    // (50·36 + 30·24 + 30·20) px × 0.56 mm² × 2.5 mm spacing = 4.368 mL
    expect(await page.getByTestId('result-volume').textContent()).toMatch(/4\.37 mL over 3 slices/);
  });

  it('downloads a SEG, a PNG label mask and JSON, made in the page without a request', async () => {
    const before = requests.length;
    const files: Record<string, Buffer> = {};
    for (const format of ['seg', 'png', 'json']) {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId(`export-${format}`).click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/^medlens-(seg|labels|results)-\d{8}-\d{6}\.(dcm|png|json)$/);
      files[format] = readFileSync((await download.path())!);
    }
    // Only the app's own code (the lazily loaded SEG writer) may be fetched, and only by GET.
    const during = requests.slice(before);
    expect(foreignRequests(during, app.url)).toEqual([]);
    expect(during.filter((r) => r.method() !== 'GET' || !/\.js$/.test(new URL(r.url()).pathname))).toEqual([]);

    const seg = await decodeDicom(new Uint8Array(files.seg!), 'seg.dcm');
    expect(seg.frames).toHaveLength(3);
    expect(seg.segmentation!.frames.map((f) => f.sourceInstanceUid).sort()).toEqual(Object.keys(made).sort());

    const json = JSON.parse(files.json!.toString('utf8'));
    const masks = json.annotations.filter((a: { kind: string }) => a.kind === 'mask');
    expect(masks).toHaveLength(3);
    for (const m of masks) {
      expect(m.model).toMatchObject({ id: 'test-sam-tiny', sha256: fixtureSha256('test-sam-tiny') });
      expect(m.prompt.box).toBeDefined();
      expect(m.measurements.area.unit).toBe('mm²');
    }
    expect(json.volumes[0].volume.value).toBeCloseTo(4.368, 3);

    // The PNG (8-bit grey, filter bytes before each row) holds label 1 exactly where the displayed mask is.
    const png = files.png!;
    expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
    const [width, height] = [png.readUInt32BE(16), png.readUInt32BE(20)];
    const idat = png.subarray(png.indexOf('IDAT') + 4, png.indexOf('IEND') - 8);
    const rows = inflateSync(idat);
    const shown = await page.evaluate(() => window.medlens.viewer.slice!.image.instanceUid!);
    const labels: number[] = [];
    for (let y = 0; y < height; y++) labels.push(...rows.subarray(y * (width + 1) + 1, (y + 1) * (width + 1)));
    expect(labels).toEqual(made[shown]!.data);
  });

  it('draws a SEG dropped back beside its series on the same frames', async () => {
    // The same export from the Segment panel's button (the toolbar's and the E key do the same).
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('segment-export').click()]);
    const segPath = (await download.path())!;
    const fresh = await app.browser.newPage();
    await fresh.goto(app.url);
    await fresh.getByTestId('file-input').setInputFiles([...SERIES, segPath]);
    await fresh.waitForFunction(() => window.medlens.viewer.allOverlays.length === 3);
    const drawn = await masksByInstance(fresh);
    expect(Object.keys(drawn).sort()).toEqual(Object.keys(made).sort());
    for (const uid of Object.keys(made)) expect(drawn[uid]!.data).toEqual(made[uid]!.data);
    // The SEG is not listed as an image of its own.
    expect(await fresh.evaluate(() => window.medlens.viewer.stacks.length)).toBe(1);
    await fresh.close();
  });
});

describe('in the embed widget', () => {
  it('returns SEG bytes to the allowed host', async () => {
    const host = await serveHost();
    const restore = allowInWidget([host.origin]);
    const page = await app.browser.newPage();
    const widget = `${app.url}embed.html?allowed=${encodeURIComponent(host.origin)}`;
    await page.goto(`${host.origin}/?widget=${encodeURIComponent(widget)}`);
    const bytes = [...readFileSync(SERIES[1]!)];
    const result = await page.evaluate(async (bytes) => {
      const viewer = await window.viewerPromise;
      await viewer.open(new Uint8Array(bytes).buffer, 'ct.dcm');
      await viewer.segment({ model: 'test-sam-tiny', box: [20, 14, 70, 50] });
      const file = await viewer.export('seg');
      return { name: file.name, mime: file.mime, data: Array.from(new Uint8Array(file.data)) };
    }, bytes);
    expect(result.mime).toBe('application/dicom');
    const seg = await decodeDicom(new Uint8Array(result.data), result.name);
    expect(seg.frames).toHaveLength(1);
    let inside = 0;
    seg.frames[0]!.forEach((v) => (inside += v));
    expect(inside).toBe(50 * 36);
    await page.close();
    await host.close();
    restore();
  });
});
