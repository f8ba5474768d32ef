import { createHash } from 'node:crypto';
import { expect, it, vi } from 'vitest';
import { decodeDicom } from '../../src/lib/imaging/dicom/decode-dicom';
import { ImagingError } from '../../src/lib/imaging/imaging-error';
import type { DecodedImage } from '../../src/lib/imaging/types';
import { fixtureBytes } from './fixtures';
import { seededRandom } from './broken-streams';

// One small file per decoding path: every codec, native LE/BE/implicit, deflate, RLE colour,
// 12-bit JPEG, multi-frame 32-bit.
const CORPUS = [
  'dicom/MR_small_jp2klossless.dcm',
  'dicom/JPEG2000.dcm',
  'dicom/MR_small_jpeg_ls_lossless.dcm',
  'dicom/SC_rgb_jpeg_dcmtk.dcm',
  'dicom/JPGExtended.dcm',
  'dicom/CTImage_JPEGProcess14SV1TransferSyntax_1.2.840.10008.1.2.4.70.dcm',
  'dicom/MR_small_RLE.dcm',
  'dicom/SC_rgb_rle_2frame.dcm',
  'dicom/MR_small_bigendian.dcm',
  'dicom/MR_small_implicit.dcm',
  'dicom/image_dfl.dcm',
  'dicom/rtdose.dcm',
];
const MUTANTS_PER_FILE = 25;
const SEED = 20261126;

interface Mutant {
  file: string;
  how: string;
  bytes: Uint8Array;
}

function mutate(file: string, original: Uint8Array, random: () => number): Mutant {
  const bytes = original.slice();
  const at = () => 132 + Math.floor(random() * (bytes.length - 136));
  const kind = Math.floor(random() * 4);
  if (kind === 0) {
    const flips = 1 + Math.floor(random() * 8);
    const where: number[] = [];
    for (let i = 0; i < flips; i++) {
      const p = at();
      bytes[p] = bytes[p]! ^ (1 + Math.floor(random() * 255));
      where.push(p);
    }
    return { file, how: `bytes flipped at ${where.join(', ')}`, bytes };
  }
  if (kind === 1) {
    const end = at();
    return { file, how: `truncated at ${end}`, bytes: bytes.subarray(0, end) };
  }
  if (kind === 2) {
    // A huge length: 0xFFFFFFF0 written where a length field may sit.
    const p = at() & ~1;
    new DataView(bytes.buffer).setUint32(p, 0xfffffff0, true);
    return { file, how: `0xFFFFFFF0 written at ${p}`, bytes };
  }
  const p = at();
  const n = 1 + Math.floor(random() * 64);
  bytes.fill(0, p, p + n);
  return { file, how: `${n} bytes zeroed at ${p}`, bytes };
}

function digest(image: DecodedImage): string {
  const hash = createHash('sha256');
  hash.update(`${image.width}x${image.height}x${image.samplesPerPixel}:`);
  for (const f of image.frames) hash.update(new Uint8Array(f.buffer, f.byteOffset, f.byteLength));
  return hash.digest('hex');
}

it(`every mutant decodes as a fresh decoder would, or is refused with an ImagingError`, async () => {
  const random = seededRandom(SEED);
  const decoded: { mutant: Mutant; digest: string }[] = [];
  let refused = 0;
  for (const file of CORPUS) {
    const original = fixtureBytes(file);
    for (let i = 0; i < MUTANTS_PER_FILE; i++) {
      const mutant = mutate(file, original, random);
      // Valid pixels of the same size go through the shared decoder first: the worst case for
      // a codec that keeps state between calls.
      await decodeDicom(original, file);
      try {
        decoded.push({ mutant, digest: digest(await decodeDicom(mutant.bytes, file)) });
      } catch (error) {
        if (!(error instanceof ImagingError)) {
          throw new Error(`${file}, ${mutant.how}: ${String(error)} is not an ImagingError`, { cause: error });
        }
        refused++;
      }
    }
  }
  // Each mutant that decoded must give the same pixels from a brand-new set of codec instances.
  for (const { mutant, digest: shared } of decoded) {
    vi.resetModules();
    const fresh = await import('../../src/lib/imaging/dicom/decode-dicom');
    const image = await fresh.decodeDicom(mutant.bytes, mutant.file);
    expect(digest(image), `${mutant.file}, ${mutant.how}`).toBe(shared);
  }
  console.log(`decoder fuzz: ${decoded.length} mutants decoded, ${refused} refused (seed ${SEED})`);
  expect(decoded.length + refused).toBe(CORPUS.length * MUTANTS_PER_FILE);
}, 240_000);
