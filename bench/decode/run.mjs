// npm run bench:decode — decode throughput of a 100-slice CT series in Chromium workers,
// on a production build of bench/decode/index.html (same bundler settings as the app).
import { cpSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../../test/e2e/chromium.mjs';
import { build, preview } from 'vite';
import { cache, prepare } from './prepare.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const outDir = `${cache}dist/`;
const files = prepare();
await build({
  root,
  logLevel: 'warn',
  build: { outDir, emptyOutDir: true, rollupOptions: { input: `${root}bench/decode/index.html` } },
});
for (const variant of Object.keys(files))
  cpSync(`${cache}${variant}`, `${outDir}bench/decode/data/${variant}`, { recursive: true });
const server = await preview({ root, logLevel: 'warn', build: { outDir }, preview: { host: 'localhost', port: 0 } });
const url = server.resolvedUrls?.local[0];
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.log('page error:', e.message));
  await page.addInitScript((f) => (window.benchFiles = f), files);
  await page.goto(`${url}bench/decode/`);
  await page.waitForFunction(() => window.benchResult, undefined, { timeout: 300_000 });
  const result = await page.evaluate(() => window.benchResult);
  if (!Array.isArray(result)) throw new Error(result?.error ?? 'the bench page gave no result');
  console.log(`Chromium ${browser.version()}, ${cpus().length} × ${cpus()[0].model}`);
  console.log('| decoder | transfer syntax | slices | s | slices/s |\n|---|---|---|---|---|');
  for (const r of result) {
    console.log(
      `| ${r.decoder} | ${r.syntax} | ${r.slices} | ${r.seconds.toFixed(2)} | ${r.slicesPerSecond.toFixed(0)} |`,
    );
  }
} finally {
  await browser.close();
  await server.close();
}
