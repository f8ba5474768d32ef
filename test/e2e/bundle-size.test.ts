import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { expect, it } from 'vitest';

const dist = new URL('../../dist/', import.meta.url);

interface ManifestEntry {
  file: string;
  isEntry?: boolean;
  imports?: string[];
}

it('keeps the initial JS of the app shell under 150 kB gzipped', () => {
  const manifest: Record<string, ManifestEntry> = JSON.parse(
    readFileSync(new URL('.vite/manifest.json', dist), 'utf8'),
  );
  const files = new Set<string>();
  const visit = (key: string) => {
    const entry = manifest[key]!;
    if (files.has(entry.file)) return;
    files.add(entry.file);
    entry.imports?.forEach(visit);
  };
  visit('index.html');
  // Codecs and workers are loaded on demand, never by the first page load.
  expect([...files].every((f) => !/worker|openjpeg|charls|libjpeg/.test(f))).toBe(true);
  const bytes = [...files].reduce((n, f) => n + gzipSync(readFileSync(new URL(f, dist))).length, 0);
  expect(bytes).toBeLessThan(150 * 1024);
});
