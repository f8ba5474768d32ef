import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Threaded WASM (SharedArrayBuffer) needs cross-origin isolation; static hosts must send the same.
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [svelte()],
  resolve: {
    alias: {
      'cornerstone-jpeg12': here('node_modules/@cornerstonejs/dicom-image-loader/dist/esm/codecs/jpeg.js'),
    },
  },
  worker: { format: 'es' },
  build: { target: 'es2022', reportCompressedSize: true },
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: ['test/e2e/**'], testTimeout: 30_000 },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
