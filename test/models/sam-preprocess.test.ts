import { expect, it } from 'vitest';
import { resizedSize, samEncoderInput } from '../../src/lib/models/sam-preprocess';
import { promptTensors } from '../../src/lib/models/sam-prompt';
import { chooseBackend } from '../../src/lib/models/backend';

function flat(width: number, height: number, grey: (x: number, y: number) => number) {
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) rgba.fill(grey(x, y), 4 * (y * width + x), 4 * (y * width + x) + 3);
  return { width, height, rgba };
}

it('resizes the longest side as ResizeLongestSide does', () => {
  expect(resizedSize(1477, 1198, 1024)).toEqual({ width: 1024, height: 831 });
  expect(resizedSize(512, 256, 256)).toEqual({ width: 256, height: 128 });
});

it('normalises with ImageNet statistics and pads bottom-right with zeros', () => {
  const input = samEncoderInput(
    flat(8, 4, () => 200),
    { inputSize: 8, preprocessing: { resize: 'longest-side', pad: 'bottom-right', normalize: 'imagenet' } },
  );
  expect(input[0]).toBeCloseTo((200 - 123.675) / 58.395);
  expect(input[64 + 0]).toBeCloseTo((200 - 116.28) / 57.12);
  expect(input[3 * 8 + 7]).toBeCloseTo((200 - 123.675) / 58.395); // last resized row
  expect(input[4 * 8]).toBe(0); // first padded row
});

it('normalises min-max over the resized image', () => {
  const input = samEncoderInput(
    flat(4, 4, (x) => 50 + 50 * x),
    { inputSize: 4, preprocessing: { resize: 'longest-side', pad: 'bottom-right', normalize: 'min-max' } },
  );
  expect([input[0], input[3]]).toEqual([0, 1]);
  expect(input[1]).toBeCloseTo(1 / 3);
});

it('maps prompts into the input frame with SAM labels and padding', () => {
  const sam = {
    inputSize: 64,
    preprocessing: { resize: 'longest-side', pad: 'bottom-right', normalize: 'imagenet' },
  } as const;
  const box = promptTensors({ points: [], box: { x0: 300, y0: 200, x1: 100, y1: 50 } }, 512, 256, sam);
  expect(Array.from(box.coords)).toEqual([12.5, 6.25, 37.5, 25]);
  expect(Array.from(box.labels)).toEqual([2, 3]);
  const points = promptTensors(
    {
      points: [
        { x: 256, y: 128, positive: true },
        { x: 0, y: 8, positive: false },
      ],
    },
    512,
    256,
    sam,
  );
  expect(Array.from(points.labels)).toEqual([1, 0, -1]);
  expect(Array.from(points.coords)).toEqual([32, 16, 0, 1, 0, 0]);
});

/** An adapter without shader-f16 and with a 128 MiB storage-buffer limit (lavapipe, many laptops). */
const caps = {
  webgpu: true,
  shaderF16: false,
  maxStorageBufferBindingSize: 128 * 2 ** 20,
  crossOriginIsolated: false,
  cores: 8,
};

it('chooses WebGPU when an adapter exists, WASM threads only when isolated', () => {
  expect(chooseBackend(caps, 'auto')).toMatchObject({
    provider: 'webgpu',
    shaderF16: false,
    reason: expect.stringMatching(/without shader-f16/),
  });
  expect(chooseBackend({ ...caps, webgpu: false }, 'auto')).toMatchObject({
    provider: 'wasm',
    threads: 1,
    reason: expect.stringMatching(/no WebGPU adapter.*not cross-origin isolated/),
  });
  expect(chooseBackend({ ...caps, crossOriginIsolated: true }, 'wasm')).toMatchObject({ provider: 'wasm', threads: 4 });
});

it('keeps off a GPU whose storage buffers cannot hold the model’s largest tensor', () => {
  // SAM ViT-B's global attention (768 MiB) on that adapter.

  expect(chooseBackend(caps, 'auto', 768 * 2 ** 20)).toMatchObject({
    provider: 'wasm',
    reason: expect.stringMatching(
      /^its largest tensor \(768 MiB\) exceeds this GPU's storage buffer limit \(128 MiB\), where WebGPU would compute wrong results; 1 thread/,
    ),
  });
  expect(chooseBackend(caps, 'webgpu', 768 * 2 ** 20).provider).toBe('wasm');
  expect(chooseBackend({ ...caps, maxStorageBufferBindingSize: 2 ** 31 }, 'auto', 768 * 2 ** 20).provider).toBe(
    'webgpu',
  );
  expect(chooseBackend(caps, 'auto', 64 * 2 ** 20).provider).toBe('webgpu');
});
