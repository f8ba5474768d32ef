// Bundles bench/gpu/engine.ts (the app's own segmentation modules) into one ES module that
// Node runs: bench/.cache/gpu/engine.mjs. Copied with measure.mjs to the GPU machine by device.sh.
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = fileURLToPath(new URL('../../', import.meta.url));
await build({
  root,
  configFile: false,
  logLevel: 'warn',
  build: {
    ssr: `${root}bench/gpu/engine.ts`,
    outDir: `${root}bench/.cache/gpu`,
    emptyOutDir: false,
    minify: false,
    rollupOptions: { output: { entryFileNames: 'engine.mjs' } },
  },
});
console.log('built bench/.cache/gpu/engine.mjs');
