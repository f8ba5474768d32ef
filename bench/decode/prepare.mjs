// Writes the bench series once into bench/.cache/decode/: 100 CT slices 512×512 16-bit in
// explicit VR little endian (dcmjs, test/fixtures/make-dicom.mjs), and the same slices
// re-encoded with DCMTK as RLE Lossless and JPEG-LS Lossless where dcmtk is installed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const cache = fileURLToPath(new URL('../.cache/decode/', import.meta.url));
const explicit = `${cache}explicit-le/`;

export function prepare() {
  if (!existsSync(explicit)) {
    execFileSync('node', [
      fileURLToPath(new URL('../../test/fixtures/make-dicom.mjs', import.meta.url)),
      '--bench',
      explicit,
    ]);
  }
  const variants = { 'explicit-le': explicit };
  for (const [name, tool] of [
    ['rle', 'dcmcrle'],
    ['jpeg-ls', 'dcmcjpls'],
  ]) {
    const dir = `${cache}${name}/`;
    if (!existsSync(dir)) {
      try {
        execFileSync('which', [tool]);
      } catch {
        console.log(`skipping ${name}: ${tool} (Debian package dcmtk) is not installed`);
        continue;
      }
      mkdirSync(dir, { recursive: true });
      for (const f of readdirSync(explicit)) execFileSync(tool, [`${explicit}${f}`, `${dir}${f}`]);
    }
    variants[name] = dir;
  }
  return Object.fromEntries(Object.entries(variants).map(([k, dir]) => [k, readdirSync(dir).sort()]));
}
