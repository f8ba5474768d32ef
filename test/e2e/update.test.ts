import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { build, preview, type PreviewServer } from 'vite';
import { launch } from './browser';

const root = fileURLToPath(new URL('../../', import.meta.url));
const outDir = join(mkdtempSync(join(tmpdir(), 'medlens-update-')), 'dist');

/** A production build labelled `label` into the test's own folder (the same one each time). */
async function buildVersion(label: string): Promise<void> {
  process.env.MEDLENS_BUILD = label;
  try {
    await build({ root, logLevel: 'error', build: { outDir, emptyOutDir: true } });
  } finally {
    delete process.env.MEDLENS_BUILD;
  }
}

let server: PreviewServer | undefined;
afterAll(() => server?.close());

it('offers a new version after a deploy and switches to it with one action', async () => {
  await buildVersion('v1');
  server = await preview({ root, logLevel: 'warn', build: { outDir }, preview: { host: 'localhost', port: 0 } });
  const url = server.resolvedUrls!.local[0]!;
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.goto(url);
    await page.getByTestId('offline-ready').waitFor({ timeout: 60_000 });
    expect(await page.evaluate(() => window.medlens.build)).toBe('v1');

    await buildVersion('v2'); // deployed into the same folder the server serves
    await page.reload();
    // The old version keeps running (its assets from its cache) until the user takes the new one.
    expect(await page.evaluate(() => window.medlens.build)).toBe('v1');
    await page.getByTestId('update-reload').click({ timeout: 60_000 });
    await page.waitForFunction(() => window.medlens?.build === 'v2', undefined, { timeout: 60_000 });
  } finally {
    await browser.close();
  }
});
