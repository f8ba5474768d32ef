import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page, Request } from 'playwright-core';
import { builtAppAndBrowser, foreignRequests, recordRequests } from './browser';
import { fixturePath } from '../imaging/fixtures';

const app = builtAppAndBrowser();

// First runs on SwiftShader compile shaders on the CPU: seconds, not milliseconds.
const SLOW = { timeout: 90_000, interval: 100 };
const DICOM = fixturePath('generated/nonsquare-512x256.dcm'); // 512 wide, 256 high

/** Page coordinates of an image point, through the viewer's own image → device transform. */
async function pagePoint(page: Page, x: number, y: number): Promise<{ x: number; y: number }> {
  return page.evaluate(
    ({ x, y }) => {
      const m = window.medlens.viewer.imageToDevice()!;
      const r = document.querySelector('[data-testid=viewport-canvas]')!.getBoundingClientRect();
      const ratio = window.devicePixelRatio;
      return { x: r.left + (x * m[0] + m[4]) / ratio, y: r.top + (y * m[3] + m[5]) / ratio };
    },
    { x, y },
  );
}

/** The segmentation mask in the overlay layer, with the prompt that produced it. */
async function currentMask(page: Page) {
  return page.evaluate(() => {
    const mask = window.medlens.overlay.list().find((o) => o.kind === 'mask');
    if (!mask || mask.kind !== 'mask') return undefined;
    return {
      width: mask.width,
      height: mask.height,
      data: Array.from(mask.data),
      label: mask.label,
      prompt: window.medlens.segmentation.prompt,
    };
  });
}

/** Pixels where the mask differs from "pixel centre inside the box" lie within 1 px of its edge. */
function boxErrors(
  mask: { width: number; height: number; data: number[] },
  b: { x0: number; y0: number; x1: number; y1: number },
) {
  let far = 0;
  let near = 0;
  for (let y = 0; y < mask.height; y++) {
    for (let x = 0; x < mask.width; x++) {
      const cx = x + 0.5;
      const cy = y + 0.5;
      const inside = cx > b.x0 && cx < b.x1 && cy > b.y0 && cy < b.y1 ? 1 : 0;
      if (inside === mask.data[y * mask.width + x]) continue;
      const edge = Math.min(Math.abs(cx - b.x0), Math.abs(cx - b.x1), Math.abs(cy - b.y0), Math.abs(cy - b.y1));
      if (edge <= 1) near++;
      else far++;
    }
  }
  return { far, near };
}

const cases = [
  { model: 'test-sam-tiny', backend: 'webgpu' },
  { model: 'test-sam-tiny', backend: 'wasm' },
  { model: 'test-litemedsam-tiny', backend: 'webgpu' },
  { model: 'test-litemedsam-tiny', backend: 'wasm' },
] as const;

describe.each(cases)('$model on $backend', ({ model, backend }) => {
  let context: BrowserContext;
  let page: Page;
  let requests: Request[];

  beforeAll(async () => {
    context = await app.browser.newContext({ viewport: { width: 1280, height: 720 } });
    requests = recordRequests(context);
    page = await context.newPage();
    await page.goto(app.url);
    await page.getByTestId('file-input').setInputFiles([DICOM]);
    await page.waitForFunction(() => document.querySelector('[data-testid=readout-size]')?.textContent === '512×256');
    await page.getByTestId('segment-model').selectOption(model);
    await page.getByTestId('segment-backend-choice').selectOption(backend);
    await page.getByTestId('segment-load').click();
    await page.getByTestId('segment-backend').waitFor({ timeout: 60_000 });
  });
  afterAll(() => context?.close());

  it('runs on the chosen backend and says so, naming the fixture as a test model', async () => {
    const text = await page.getByTestId('segment-backend').textContent();
    expect(text).toMatch(backend === 'webgpu' ? /^WebGPU — GPU adapter without shader-f16/ : /^WASM — chosen; /);
    expect(await page.getByTestId('segment-loaded-model').textContent()).toMatch(/test model, random weights/);
    expect(await page.getByTestId('segment-model-summary').textContent()).toMatch(
      /^\d+\.\d kB · Apache-2\.0 · files supplied by the deployment$/,
    );
    expect(await page.getByTestId('segment-error').count()).toBe(0);
  });

  it('turns a dragged box into a mask of the box region, one encode and several decodes', async () => {
    const from = await pagePoint(page, 101.3, 40.6);
    const to = await pagePoint(page, 333.8, 201.2);
    await page.keyboard.press('b');
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 4 });
    await page.mouse.move(to.x, to.y, { steps: 4 });
    await page.mouse.up();
    // Wait for the final box's mask (a mask of a box from mid-drag may be drawn first).
    await expect
      .poll(async () => {
        const box = (await currentMask(page))?.prompt.box;
        return box !== undefined && Math.abs(box.x1 - 333.8) < 1 && Math.abs(box.y1 - 201.2) < 1;
      }, SLOW)
      .toBe(true);
    // The drawn mask must come from the final box, not an earlier one of the drag.
    await expect
      .poll(async () => {
        const mask = await currentMask(page);
        return mask && mask.prompt.box ? boxErrors(mask, mask.prompt.box).far : -1;
      }, SLOW)
      .toBe(0);
    const mask = (await currentMask(page))!;
    const box = mask.prompt.box!;
    expect([mask.width, mask.height]).toEqual([512, 256]);
    expect(Math.abs(box.x0 - 101.3)).toBeLessThan(1);
    expect(Math.abs(box.y1 - 201.2)).toBeLessThan(1);
    const { near } = boxErrors(mask, box);
    expect(near).toBeLessThan(2 * (box.x1 - box.x0 + box.y1 - box.y0));
    expect(mask.label).toMatch(/test model, random weights/);
    const stats = await page.evaluate(() => window.medlens.segmentation.stats());
    expect(stats.encodes).toBe(1);
    expect(stats.decodes + stats.skipped).toBeGreaterThanOrEqual(3);
  });

  it('turns a click into a disk centred on it', async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('p');
    const click = { x: 260.4, y: 120.7 };
    const at = await pagePoint(page, click.x, click.y);
    await page.mouse.click(at.x, at.y);
    await expect.poll(async () => (await currentMask(page))?.prompt.points.length, SLOW).toBe(1);
    const mask = (await currentMask(page))!;
    const point = mask.prompt.points[0]!;
    expect(Math.hypot(point.x - click.x, point.y - click.y)).toBeLessThan(1);
    let n = 0;
    let sx = 0;
    let sy = 0;
    mask.data.forEach((v, i) => {
      if (!v) return;
      n++;
      sx += (i % 512) + 0.5;
      sy += Math.floor(i / 512) + 0.5;
    });
    expect(n).toBeGreaterThan(1000);
    expect(Math.abs(sx / n - point.x)).toBeLessThan(1);
    expect(Math.abs(sy / n - point.y)).toBeLessThan(1);
  });

  it('loaded the model from the app origin only', () => {
    expect(requests.some((r) => r.url().endsWith(`/models/${model}/decoder.onnx`))).toBe(true);
    expect(foreignRequests(requests, app.url)).toEqual([]);
  });
});

type Box = { x0: number; y0: number; x1: number; y1: number };

/**
 * One box segmented on a fresh page with `model` on `backend`: the mask and the worker's stats.
 * `edit` changes that model's entry in the model list as the page is served it.
 */
async function segmentOnce(options: {
  model: string;
  backend: 'webgpu' | 'wasm';
  image: string;
  box: Box;
  edit?: (entry: Record<string, unknown>) => void;
}) {
  const { model, backend, image, box, edit } = options;
  const context = await app.browser.newContext();
  if (edit) {
    await context.route(`${app.url}models/manifest.json`, async (route) => {
      const json = await (await route.fetch()).json();
      for (const m of json.models) if (m.id === model) edit(m);
      await route.fulfill({ json });
    });
  }
  const page = await context.newPage();
  await page.goto(app.url);
  await page.getByTestId('file-input').setInputFiles([image]);
  await page.waitForFunction(() => window.medlens.viewer.slice);
  await page.getByTestId('segment-model').selectOption(model);
  await page.getByTestId('segment-backend-choice').selectOption(backend);
  await page.getByTestId('segment-load').click();
  await page.getByTestId('segment-backend').waitFor({ timeout: 60_000 });
  await page.evaluate((b) => window.medlens.segmentation.setBox(b), box);
  await expect.poll(async () => (await currentMask(page))?.prompt.box?.x1, SLOW).toBe(box.x1);
  const mask = (await currentMask(page))!.data;
  const stats = await page.evaluate(() => window.medlens.segmentation.stats());
  await context.close();
  return { mask, stats };
}

function iou(a: number[], b: number[]): { iou: number; union: number } {
  let both = 0;
  let either = 0;
  a.forEach((v, i) => {
    both += v & b[i]!;
    either += v | b[i]!;
  });
  return { iou: both / either, union: either };
}

describe.each(['test-sam-tiny', 'test-litemedsam-tiny'])('%s: the GPU-resident path', (model) => {
  it('keeps the embedding on the GPU between encoder and decoder, with the same mask as WASM', async () => {
    const run = (backend: 'webgpu' | 'wasm') =>
      segmentOnce({ model, backend, image: DICOM, box: { x0: 120.5, y0: 30.2, x1: 380.7, y1: 210.9 } });
    const gpu = await run('webgpu');
    const cpu = await run('wasm');
    const same = iou(gpu.mask, cpu.mask);
    expect(same.union).toBeGreaterThan(1000);
    expect(same.iou).toBeGreaterThanOrEqual(0.99);
    // Per prompt only the prompt's own tensors go up; the embedding stays where the encoder left it.
    const { uploaded, upload } = gpu.stats.lastTransfer;
    expect(uploaded).not.toContain('image_embeddings');
    expect(uploaded).toEqual(
      expect.arrayContaining([model === 'test-sam-tiny' ? 'point_coords' : 'batched_point_coords']),
    );
    expect(upload).toBeGreaterThan(0);
    expect(cpu.stats.lastTransfer).toEqual({ uploaded: [], upload: 0, downloaded: [], download: 0 });
    // These fixtures draw their masks directly (no masksFromLowRes): the full-size mask comes back.
    expect(gpu.stats.lastTransfer.downloaded).toContain('masks');
  });
});

it('reads back only the low-res logits on WebGPU where the entry says its masks come from them', async () => {
  // test-sam-intensity's decoder, declared masksFromLowRes (as sam-vit-b is) through a routed
  // model list: on either backend the mask is made from low_res_masks here, the decoder told the
  // image is 1 × 1.
  const run = (backend: 'webgpu' | 'wasm') =>
    segmentOnce({
      model: 'test-sam-intensity',
      backend,
      image: fixturePath('raster/tbx11k-tb0005.png'),
      box: { x0: 60.5, y0: 80.2, x1: 450.7, y1: 430.9 },
      edit: (entry) => (entry.masksFromLowRes = true),
    });
  const gpu = await run('webgpu');
  const cpu = await run('wasm');
  const same = iou(gpu.mask, cpu.mask);
  expect(same.union).toBeGreaterThan(1000);
  expect(same.iou).toBeGreaterThanOrEqual(0.99);
  // Back came the low-res logits and the IoU, not the full-size float mask the decoder also makes.
  expect(gpu.stats.lastTransfer.downloaded.sort()).toEqual(['iou_predictions', 'low_res_masks']);
});

it('segments with a model in transformers.js’ SAM layout, on WebGPU and WASM alike', async () => {
  const box = { x0: 120.5, y0: 30.2, x1: 380.7, y1: 210.9 };
  const run = (backend: 'webgpu' | 'wasm') => segmentOnce({ model: 'test-sam-tjs', backend, image: DICOM, box });
  const gpu = await run('webgpu');
  const cpu = await run('wasm');
  const same = iou(gpu.mask, cpu.mask);
  expect(same.union).toBeGreaterThan(1000);
  expect(same.iou).toBeGreaterThanOrEqual(0.99);
  // The fixture's best-rated candidate is the box itself (the DICOM is 512 × 256).
  const inBox = Array.from({ length: 512 * 256 }, (_, i) => {
    const [x, y] = [(i % 512) + 0.5, Math.floor(i / 512) + 0.5];
    return x > box.x0 && x < box.x1 && y > box.y0 && y < box.y1 ? 1 : 0;
  });
  expect(iou(gpu.mask, inBox).iou).toBeGreaterThanOrEqual(0.97);
});

it('keeps off WebGPU, and says why, when the model’s largest tensor exceeds the adapter’s buffer limit', async () => {
  // As SAM ViT-B's 768 MiB attention on a 128 MiB-limit GPU: declared here on the fixture.
  const context = await app.browser.newContext();
  await context.route(`${app.url}models/manifest.json`, async (route) => {
    const json = await (await route.fetch()).json();
    for (const m of json.models) if (m.id === 'test-sam-tiny') m.encoder.largestTensorBytes = 2 ** 40;
    await route.fulfill({ json });
  });
  const page = await context.newPage();
  await page.goto(app.url);
  await page.getByTestId('segment-model').selectOption('test-sam-tiny');
  await page.getByTestId('segment-backend-choice').selectOption('webgpu');
  await page.getByTestId('segment-load').click();
  await page.getByTestId('segment-backend').waitFor({ timeout: 60_000 });
  expect(await page.getByTestId('segment-backend').textContent()).toMatch(
    /^WASM — its largest tensor \(1048576 MiB\) exceeds this GPU's storage buffer limit \(\d+ MiB\), where WebGPU would compute wrong results/,
  );
  await context.close();
});

/** A fresh page with the DICOM open and test-sam-tiny loaded on WebGPU. */
async function samTinyOnWebGpu(): Promise<Page> {
  const page = await app.browser.newPage();
  await page.goto(app.url);
  await page.getByTestId('file-input').setInputFiles([DICOM]);
  await page.waitForFunction(() => window.medlens.viewer.slice);
  await page.getByTestId('segment-model').selectOption('test-sam-tiny');
  await page.getByTestId('segment-backend-choice').selectOption('webgpu');
  await page.getByTestId('segment-load').click();
  await page.getByTestId('segment-backend').waitFor({ timeout: 60_000 });
  return page;
}

it('sends the GPU only what changed between two boxes of a drag: their coordinates', async () => {
  const page = await samTinyOnWebGpu();
  for (const x1 of [300.5, 340.5]) {
    await page.evaluate((x) => window.medlens.segmentation.setBox({ x0: 100.5, y0: 40.5, x1: x, y1: 200.5 }), x1);
    await expect.poll(async () => (await currentMask(page))?.prompt.box?.x1, SLOW).toBe(x1);
  }
  const mask = (await currentMask(page))!;
  expect(boxErrors(mask, mask.prompt.box!).far).toBe(0);
  // The labels, the empty mask_input, its flag and the image size are already there.
  const { uploaded, upload } = (await page.evaluate(() => window.medlens.segmentation.stats())).lastTransfer;
  expect(uploaded).toEqual(['point_coords']);
  expect(upload).toBe(2 * 2 * 4);
  await page.close();
});

/**
 * test-sam-tiny on WebGPU makes a first mask, then `method` of the worker's `gpuClass` throws
 * from now on (a lost device, a refused allocation).
 */
async function gpuFailsAfterFirstMask(gpuClass: string, method: string, message: string): Promise<Page> {
  const page = await samTinyOnWebGpu();
  await page.evaluate(() => window.medlens.segmentation.setBox({ x0: 100.5, y0: 40.5, x1: 300.5, y1: 200.5 }));
  await expect.poll(async () => (await currentMask(page))?.prompt.box?.x1, SLOW).toBe(300.5);
  const worker = page.workers().find((w) => w.url().includes('segment'))!;
  await worker.evaluate(
    ({ name, key, text }) => {
      const classes = globalThis as unknown as Record<string, { prototype: Record<string, unknown> }>;
      classes[name]!.prototype[key] = () => {
        throw new Error(text);
      };
    },
    { name: gpuClass, key: method, text: message },
  );
  return page;
}

/** The page now segments on WASM, says why, and shows no error. */
async function expectSwitchedToWasm(page: Page) {
  expect(await page.getByTestId('segment-backend').textContent()).toMatch(/^WASM/);
  expect(await page.getByTestId('segment-notice').textContent()).toMatch(
    /^WebGPU failed \(.*\): switched to WASM, which runs on the CPU\.$/,
  );
  expect(await page.getByTestId('segment-error').count()).toBe(0);
}

it('falls back to WASM with a message when the GPU fails mid-session, and answers the prompt', async () => {
  // The GPU goes away under the worker: every submission of GPU work fails.
  const page = await gpuFailsAfterFirstMask('GPUQueue', 'submit', 'the GPU device was lost (test)');
  await page.evaluate(() => window.medlens.segmentation.setBox({ x0: 120.5, y0: 50.5, x1: 330.5, y1: 210.5 }));
  await expect.poll(async () => (await currentMask(page))?.prompt.box?.x1, SLOW).toBe(330.5);
  const mask = (await currentMask(page))!;
  expect(boxErrors(mask, mask.prompt.box!).far).toBe(0);
  await expectSwitchedToWasm(page);
  await page.close();
});

it('falls back to WASM with a message when a GPU allocation fails, and answers the prompt', async () => {
  // The GPU refuses every new buffer: an image of another size needs some.
  const page = await gpuFailsAfterFirstMask('GPUDevice', 'createBuffer', 'out of GPU memory (test)');
  await page.getByTestId('file-input').setInputFiles([fixturePath('raster/tbx11k-tb0005.png')]);
  await page.waitForFunction(() => document.querySelector('[data-testid=readout-size]')?.textContent === '512×512');
  const box = { x0: 60.5, y0: 80.5, x1: 250.5, y1: 300.5 };
  await page.evaluate((b) => window.medlens.segmentation.setBox(b), box);
  // The PNG's own mask (the DICOM's stays in the overlay list, tied to its image).
  const pngMask = () =>
    page.evaluate(() => {
      const mask = window.medlens.overlay.list().find((o) => o.kind === 'mask' && o.height === 512);
      return mask?.kind === 'mask'
        ? { width: mask.width, height: mask.height, data: Array.from(mask.data) }
        : undefined;
    });
  await expect.poll(async () => (await pngMask())?.height, SLOW).toBe(512);
  expect(boxErrors((await pngMask())!, box).far).toBe(0);
  await expectSwitchedToWasm(page);
  await page.close();
});

it('loads a model the second time from Cache Storage, without the network', async () => {
  const context = await app.browser.newContext();
  const requests = recordRequests(context);
  const page = await context.newPage();
  await page.goto(app.url);
  for (let i = 0; i < 2; i++) {
    await page.reload();
    await page.getByTestId('segment-model').selectOption('test-sam-tiny');
    await page.getByTestId('segment-backend-choice').selectOption('wasm');
    await page.getByTestId('segment-load').click();
    await page.getByTestId('segment-backend').waitFor({ timeout: 60_000 });
  }
  const onnx = requests.filter((r) => r.url().endsWith('.onnx'));
  expect(onnx.map((r) => r.url().replace(/^.*\/models\//, ''))).toEqual([
    'test-sam-tiny/encoder.onnx',
    'test-sam-tiny/decoder.onnx',
  ]);
  await context.close();
});

it('says where a missing model was looked for', async () => {
  const context = await app.browser.newContext();
  const page = await context.newPage();
  await page.goto(app.url);
  await page.getByTestId('segment-model').selectOption('medsam-vit-b');
  await page.getByTestId('segment-load').click();
  const error = page.getByTestId('segment-error');
  await error.waitFor();
  expect(await error.textContent()).toMatch(
    /encoder\.onnx was not found at http:\/\/localhost:\d+\/models\/medsam-vit-b\/encoder\.onnx \(HTTP 404\)\. Put encoder\.onnx and decoder\.onnx in models\/medsam-vit-b\//,
  );
  await context.close();
});
