import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import { embedAllowlist } from './src/lib/protocol/messages.ts';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * The Content-Security-Policy of every page (also a <meta> in each HTML file, so a static host
 * that sends no header still enforces it). connect-src 'self': the page can only talk to its
 * own origin. 'wasm-unsafe-eval' lets WebAssembly compile (codecs, ONNX Runtime), nothing more;
 * there is no inline script. Inline styles stay allowed for Svelte's style: directives.
 */
export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "img-src 'self' blob: data:",
  "style-src 'self' 'unsafe-inline'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');

/**
 * hub.html alone may reach the model hub: the page a user opens on purpose to download a
 * model into the browser's cache. Every other page keeps connect-src 'self'.
 */
export const HUB_CSP = CSP.replace(
  "connect-src 'self'",
  "connect-src 'self' https://huggingface.co https://*.huggingface.co https://*.hf.co",
);
const cspFor = (path: string) => (path.startsWith('/hub.html') ? HUB_CSP : CSP);
/**
 * No site may frame the app or the hub page (clickjacking); embed.html only the origins the
 * deployment lists in embed-origins.json (`config`, read on each request). frame-ancestors
 * works only as a header (a <meta> CSP ignores it): hosts must send it too.
 */
function headerCspFor(path: string, config: string): string {
  if (!path.startsWith('/embed.html')) return `${cspFor(path)}; frame-ancestors 'none'`;
  let origins: string[] = [];
  try {
    origins = [...embedAllowlist(JSON.parse(readFileSync(config, 'utf8')), null)];
  } catch {
    // no readable list: the same origin only
  }
  return `${cspFor(path)}; frame-ancestors 'self'${origins.map((o) => ` ${o}`).join('')}`;
}

// Threaded WASM (SharedArrayBuffer) needs cross-origin isolation; static hosts must send the same.
const headers = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** Sends each page's CSP as a header in dev and preview (hub.html gets the hub's). */
function cspHeaders(): Plugin {
  const use = (
    config: string,
    middlewares: {
      use: (
        fn: (req: { url?: string }, res: { setHeader: (k: string, v: string) => void }, next: () => void) => void,
      ) => void;
    },
  ) =>
    middlewares.use((req, res, next) => {
      res.setHeader('Content-Security-Policy', headerCspFor(req.url ?? '/', config));
      next();
    });
  return {
    name: 'medlens:csp-headers',
    // Braces: a function returned from these hooks would be run as a post-middleware hook.
    configureServer: (server) => {
      use(here('public/embed-origins.json'), server.middlewares);
    },
    configurePreviewServer: (server) => {
      use(resolve(server.config.root, server.config.build.outDir, 'embed-origins.json'), server.middlewares);
    },
  };
}

/** Logs the gzipped size of the JS a first visit loads: the entry and its static imports. */
function reportInitialJs(): Plugin {
  return {
    name: 'medlens:report-initial-js',
    apply: 'build',
    generateBundle(_options, bundle) {
      const entry = Object.values(bundle).find((c) => c.type === 'chunk' && c.isEntry && c.name === 'index');
      if (!entry || entry.type !== 'chunk' || entry.fileName.includes('worker')) return;
      const seen = new Set<string>();
      const visit = (name: string) => {
        const chunk = bundle[name];
        if (seen.has(name) || chunk?.type !== 'chunk') return;
        seen.add(name);
        chunk.imports.forEach(visit);
      };
      visit(entry.fileName);
      const bytes = [...seen].reduce((n, name) => n + gzipSync((bundle[name] as { code: string }).code).length, 0);
      this.info(`initial JS (app shell, gzip): ${(bytes / 1024).toFixed(1)} kB in ${seen.size} chunk(s)`);
    },
  };
}

/** The CSP as a <meta> in every page, so it holds on any static host. */
function cspMeta(): Plugin {
  return {
    name: 'medlens:csp-meta',
    transformIndexHtml: (_html, context) => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: cspFor(context.path) },
        injectTo: 'head-prepend',
      },
    ],
  };
}

/**
 * Copies models/manifest.json, the first-use lock and every model whose files are all present
 * into dist/models/, so a static deployment serves them beside the app (the dev server serves
 * models/ as is). The lock is written empty when there is none yet, so that it can be precached
 * and the app's read of it never goes to the network offline.
 */
function copyPresentModels(): Plugin {
  let target = '';
  return {
    name: 'medlens:copy-models',
    apply: 'build',
    configResolved(config) {
      target = resolve(config.root, config.build.outDir, 'models');
    },
    closeBundle() {
      const manifest = JSON.parse(readFileSync(here('models/manifest.json'), 'utf8')) as {
        models: { id: string; files: { name: string }[] }[];
      };
      mkdirSync(target, { recursive: true });
      cpSync(here('models/manifest.json'), join(target, 'manifest.json'));
      const lock = here('models/models.lock.json');
      if (existsSync(lock)) cpSync(lock, join(target, 'models.lock.json'));
      else writeFileSync(join(target, 'models.lock.json'), '{}\n');
      const present = manifest.models.filter((m) => m.files.every((f) => existsSync(here(`models/${m.id}/${f.name}`))));
      for (const m of present) cpSync(here(`models/${m.id}`), join(target, m.id), { recursive: true });
      this.info(`models copied: ${present.map((m) => m.id).join(', ') || 'none'}`);
    },
  };
}

export default defineConfig({
  plugins: [
    svelte(),
    cspMeta(),
    cspHeaders(),
    reportInitialJs(),
    copyPresentModels(),
    // Precaches the app shell, codecs and the ORT WASM so the app starts with the network cut;
    // model files are cached by the model loader itself (Cache Storage), not precached.
    VitePWA({
      // 'prompt': a new version waits until the user reloads through it (the app offers it);
      // 'autoUpdate' without the plugin's own registration left users on the old version.
      registerType: 'prompt',
      injectRegister: false,
      manifest: {
        name: 'medlens',
        short_name: 'medlens',
        description: 'Private, in-browser medical image viewer',
        display: 'standalone',
        background_color: '#0d0f12',
        theme_color: '#0d0f12',
        icons: [{ src: 'favicon.svg', sizes: 'any', type: 'image/svg+xml' }],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,wasm,svg,webmanifest}', 'models/manifest.json', 'models/models.lock.json'],
        globIgnores: ['**/node_modules/**'],
        maximumFileSizeToCacheInBytes: 64 * 2 ** 20,
        navigateFallback: null,
        cleanupOutdatedCaches: true,
      },
    }),
  ],
  resolve: {
    alias: {
      'cornerstone-jpeg12': here('node_modules/@cornerstonejs/dicom-image-loader/dist/esm/codecs/jpeg.js'),
    },
  },
  // Which build this is, for the update prompt and its test (MEDLENS_BUILD=… npm run build).
  define: { __MEDLENS_BUILD__: JSON.stringify(process.env.MEDLENS_BUILD ?? '') },
  // A multi-page app: unknown paths get 404, not index.html (a missing model file must fail).
  appType: 'mpa',
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    manifest: true,
    rollupOptions: {
      input: {
        index: here('index.html'),
        embed: here('embed.html'),
        hub: here('hub.html'),
        'medlens-client': here('src/lib/protocol/client.ts'),
      },
      // The embed client keeps a stable name so host pages can import dist/medlens-client.js.
      output: {
        entryFileNames: (chunk) => (chunk.name === 'medlens-client' ? '[name].js' : 'assets/[name]-[hash].js'),
      },
      preserveEntrySignatures: 'exports-only',
    },
  },
  server: { headers },
  preview: { headers },
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
          setupFiles: ['test/e2e/no-page-errors.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
