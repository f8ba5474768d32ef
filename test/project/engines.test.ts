import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const json = (path: string) => JSON.parse(readFileSync(`${root}${path}`, 'utf8'));

// @cornerstonejs/dicom-image-loader is installed for its 12-bit JPEG decoder and for the decode
// bench, both run in the browser; these packages of its own tree are never run by Node.
const BROWSER_ONLY = [
  'node_modules/@cornerstonejs/codec-libjxl',
  'node_modules/@cornerstonejs/metadata/',
  'node_modules/@cornerstonejs/utils/',
];

it('declares Node versions that every installed package supports', () => {
  const ours: string = json('package.json').engines.node;
  const lock = json('package-lock.json') as { packages: Record<string, { engines?: { node?: string } }> };
  const conflicts = Object.entries(lock.packages)
    .filter(([path, meta]) => path && meta.engines?.node && existsSync(`${root}${path}`))
    .filter(([path]) => !BROWSER_ONLY.some((p) => path.startsWith(p)))
    .filter(([, meta]) => !semver.subset(ours, meta.engines!.node!))
    .map(([path, meta]) => `${path} needs ${meta.engines!.node}`);
  expect(conflicts).toEqual([]);
  expect(semver.satisfies(process.version, ours)).toBe(true);
});
