import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeDicom } from '../../src/lib/imaging/dicom/decode-dicom';
import { ImagingError } from '../../src/lib/imaging/imaging-error';
import type { DecodedImage, PixelArray } from '../../src/lib/imaging/types';
import { fixtureBytes, fixturePath } from './fixtures';

/** Made by test/fixtures/make-references.py with pydicom (see each entry's `via`). */
interface Reference {
  via?: string;
  error?: string;
  shape: number[];
  dtype: string;
  sha256: string;
  samples: [number, number][];
  tolerance: number;
  array?: string;
}
const references: Record<string, Reference> = JSON.parse(readFileSync(fixturePath('references.json'), 'utf8'));

/** Files we refuse on purpose, and the reason the message must give. */
const REFUSED: Record<string, RegExp> = {
  // pydicom cannot read it either; DCMTK can, but the only >8-bit lossy JPEG decoder we ship
  // gets successive-approximation scans wrong, so we refuse rather than show wrong values.
  'dicom/CTImage_JPEGProcess10_12TransferSyntax_1.2.840.10008.1.2.4.55.dcm': /successive approximation/,
  'dicom/MR_truncated.dcm': /truncated/,
};

const DTYPES: Record<string, string> = {
  uint8: 'Uint8Array',
  int8: 'Int8Array',
  uint16: 'Uint16Array',
  int16: 'Int16Array',
  uint32: 'Uint32Array',
  int32: 'Int32Array',
};

function concat(frames: PixelArray[]): Uint8Array {
  const out = new Uint8Array(frames.reduce((n, f) => n + f.byteLength, 0));
  let at = 0;
  for (const f of frames) {
    out.set(new Uint8Array(f.buffer, f.byteOffset, f.byteLength), at);
    at += f.byteLength;
  }
  return out;
}

function values(image: DecodedImage): number[] {
  return image.frames.flatMap((f) => Array.from(f));
}

describe('decodeDicom against pydicom reference pixels', () => {
  for (const [file, ref] of Object.entries(references)) {
    const refused = REFUSED[file];
    if (refused) {
      it(`${file} is refused with a clear reason`, async () => {
        await expect(decodeDicom(fixtureBytes(file), file)).rejects.toThrow(refused);
      });
      continue;
    }
    it(`${file} (${ref.via})`, async () => {
      expect(ref.error, 'pydicom decoded it').toBeUndefined();
      const image = await decodeDicom(fixtureBytes(file), file);
      const [frames, rows, cols, spp] =
        ref.shape.length === 4
          ? ref.shape
          : ref.shape.length === 3 && ref.shape[2] === 3
            ? [1, ...ref.shape]
            : ref.shape.length === 3
              ? [...ref.shape, 1]
              : [1, ...ref.shape, 1];
      expect([image.frames.length, image.height, image.width, image.samplesPerPixel]).toEqual([
        frames,
        rows,
        cols,
        spp,
      ]);
      expect(image.frames[0]!.constructor.name).toBe(DTYPES[ref.dtype]);
      const flat = values(image);
      for (const [index, value] of ref.samples)
        expect(Math.abs(flat[index]! - value)).toBeLessThanOrEqual(ref.tolerance);
      if (ref.tolerance === 0) {
        expect(createHash('sha256').update(concat(image.frames)).digest('hex')).toBe(ref.sha256);
      } else {
        const bytes = gunzipSync(readFileSync(fixturePath(ref.array!)));
        const Ctor = image.frames[0]!.constructor as new (b: ArrayBufferLike) => PixelArray;
        const expected = new Ctor(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
        let worst = 0;
        for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(flat[i]! - expected[i]!));
        expect(worst).toBeLessThanOrEqual(ref.tolerance);
      }
    });
  }
});

describe('lossless syntaxes decode to identical pixels', () => {
  const groups = {
    MR_small: ['', '_implicit', '_bigendian', '_RLE', '_jpeg_ls_lossless', '_jp2klossless'].map(
      (s) => `dicom/MR_small${s}.dcm`,
    ),
    CTImage: [
      'LittleEndianExplicitTransferSyntax_1.2.840.10008.1.2.1',
      'LittleEndianImplicitTransferSyntax_1.2.840.10008.1.2',
      'BigEndianExplicitTransferSyntax_1.2.840.10008.1.2.2',
      'DeflatedExplicitVRLittleEndianTransferSyntax_1.2.840.10008.1.2.1.99',
      'RLELosslessTransferSyntax_1.2.840.10008.1.2.5',
      'JPEGLSLosslessTransferSyntax_1.2.840.10008.1.2.4.80',
      'JPEG2000LosslessOnlyTransferSyntax_1.2.840.10008.1.2.4.90',
      'JPEGProcess14TransferSyntax_1.2.840.10008.1.2.4.57',
      'JPEGProcess14SV1TransferSyntax_1.2.840.10008.1.2.4.70',
    ].map((s) => `dicom/CTImage_${s}.dcm`),
  };
  for (const [name, files] of Object.entries(groups)) {
    it(name, async () => {
      const [first, ...rest] = await Promise.all(files.map(async (f) => values(await decodeDicom(fixtureBytes(f), f))));
      for (const other of rest) expect(other).toEqual(first);
    });
  }
});

describe('display attributes', () => {
  it('reads rescale, window and pixel spacing of a CT slice', async () => {
    const image = await decodeDicom(fixtureBytes('generated/series/ct-a.dcm'), 'ct-a.dcm');
    expect(image.rescale).toEqual({ slope: 1, intercept: -1024 });
    expect(image.window).toEqual({ center: 40, width: 400 });
    expect(image.pixelSpacing).toEqual([0.8, 0.7]);
    expect(image.range).toEqual({ min: -1000, max: 1000 });
    expect(image.location).toMatchObject({
      seriesUid: '2.25.1234567890.4.115101114105101115', // 'series', as character codes
      instanceNumber: 2,
      position: [-100, -80, -42.5],
    });
  });

  it('marks MONOCHROME1 for inverted display', async () => {
    expect((await decodeDicom(fixtureBytes('generated/monochrome1.dcm'), 'm1')).invert).toBe(true);
    expect((await decodeDicom(fixtureBytes('dicom/CT_small.dcm'), 'ct')).invert).toBe(false);
  });

  it('takes the first of several windows and the VOI LUT Function', async () => {
    const image = await decodeDicom(fixtureBytes('generated/voi-sigmoid.dcm'), 'sig');
    expect(image.window).toEqual({ center: 128, width: 64 });
    expect(image.voiFunction).toBe('SIGMOID');
  });

  it('scrolls a multi-frame file by frame', async () => {
    const image = await decodeDicom(fixtureBytes('dicom/rtdose.dcm'), 'rtdose');
    expect(image.frames).toHaveLength(15);
    expect(image.frames[0]).not.toEqual(image.frames[14]);
  });

  it('lists tags for the panel without the pixel data bytes', async () => {
    const image = await decodeDicom(fixtureBytes('dicom/CT_small.dcm'), 'ct');
    const byTag = Object.fromEntries(image.tags.map((t) => [t.tag, t]));
    expect(byTag['00280010']).toEqual({ tag: '00280010', vr: 'US', value: '128' });
    expect(byTag['00080060']?.value).toBe('CT');
    expect(byTag['7FE00010']?.value).toBe('32768 bytes');
  });
});

describe('Number of Frames that disagrees with the pixel data opens with a warning, never silently', () => {
  it('warns when Number of Frames is missing but the data holds more frames', async () => {
    const image = await decodeDicom(fixtureBytes('generated/frames/missing-with-2-frames.dcm'), 'm');
    expect(image.frames).toHaveLength(1);
    expect(image.warnings).toEqual([
      'Number of Frames is missing but the pixel data holds 2 frames; showing the first only',
    ]);
  });
  it('warns when the data holds more frames than declared', async () => {
    const image = await decodeDicom(fixtureBytes('generated/frames/declares-2-holds-3.dcm'), 'x');
    expect(image.frames).toHaveLength(2);
    expect(image.warnings).toEqual(['the pixel data holds 3 frames but Number of Frames says 2; showing 2']);
  });
  it('has no warning for a file that agrees with itself', async () => {
    expect((await decodeDicom(fixtureBytes('dicom/rtdose.dcm'), 'rt')).warnings).toEqual([]);
  });
});

describe('bad input is refused with a reason', () => {
  const cases: [string, RegExp][] = [
    ['generated/bad/not-dicom.dcm', /not a DICOM file/],
    ['generated/bad/unsupported-syntax.dcm', /no decoder for transfer syntax 1\.2\.840\.10008\.1\.2\.4\.100/],
    ['generated/bad/zero-size.dcm', /0×0 is empty/],
    ['generated/bad/too-large.dcm', /65535×65535 exceeds/],
    ['generated/bad/huge-length.dcm', /ends inside element \(0008,1030\) at offset 310: .*the file is truncated/],
    ['dicom/MR_truncated.dcm', /ends inside element \(7FE0,0010\) at offset 1488: .*the file is truncated/],
    ['generated/bad/frames-abc.dcm', /Number of Frames \(0028,0008\) is "abc", not a whole number/],
    ['generated/bad/frames-zero.dcm', /Number of Frames \(0028,0008\) is 0/],
    [
      'generated/bad/frames-declares-3-holds-2.dcm',
      /holds 256 bytes but 3 frame\(s\) of 16×8 at 8 bits need 384: Rows, Columns, Bits Allocated or Number of Frames is wrong/,
    ],
    [
      'generated/bad/implicit-element-in-explicit.dcm',
      /^malformed at offset 384, tag \(0008,0060\): "\\x02\\x00" is not a value representation/,
    ],
    [
      'generated/bad/implicit-syntax-explicit-data.dcm',
      /^malformed at offset 310, tag \(0008,0016\): the element is written with explicit VR \("UI"\) but the transfer syntax says implicit VR/,
    ],
  ];
  for (const [file, reason] of cases) {
    it(file, async () => {
      const attempt = decodeDicom(fixtureBytes(file), file);
      await expect(attempt).rejects.toBeInstanceOf(ImagingError);
      await expect(attempt).rejects.toThrow(reason);
    });
  }

  it('never calls a malformed file truncated', async () => {
    const malformed = [
      'generated/bad/implicit-element-in-explicit.dcm',
      'generated/bad/implicit-syntax-explicit-data.dcm',
    ];
    for (const file of malformed) {
      await expect(decodeDicom(fixtureBytes(file), file)).rejects.not.toThrow(/truncated/);
    }
  });

  it('refuses a deflated data set that inflates past the memory limit', async () => {
    const { deflateRawSync } = await import('node:zlib');
    const explicit = fixtureBytes('generated/monochrome1.dcm');
    const metaEnd = 128 + 4 + 12 + new DataView(explicit.buffer, explicit.byteOffset).getUint32(140, true);
    const header = Buffer.from(explicit.subarray(0, metaEnd));
    const ts = header.indexOf('1.2.840.10008.1.2.1\0', 128, 'latin1');
    // Same-length swap is impossible (the deflated UID is longer), so rebuild the meta element.
    const meta = Buffer.from(header.subarray(0, ts - 8));
    const uid = Buffer.from('1.2.840.10008.1.2.1.99', 'latin1');
    const tsElement = Buffer.concat([Buffer.from([0x02, 0x00, 0x10, 0x00, 0x55, 0x49, uid.length, 0]), uid]);
    const after = header.subarray(ts + 20);
    const groupLength = tsElement.length + after.length + (ts - 8 - 144);
    meta.writeUInt32LE(groupLength, 140);
    // 1 MiB of zeros as non-final deflate blocks, repeated: each copy only refers back to
    // zeros, so the stream stays valid; a final empty fixed block (03 00) ends it.
    const { constants } = await import('node:zlib');
    const block = deflateRawSync(Buffer.alloc(2 ** 20), { finishFlush: constants.Z_SYNC_FLUSH });
    const bomb = Buffer.concat([...Array<Buffer>(1100).fill(block), Buffer.from([0x03, 0x00])]);
    const file = new Uint8Array(Buffer.concat([meta, tsElement, after, bomb]));
    await expect(decodeDicom(file, 'bomb.dcm')).rejects.toThrow(/inflates past the 1024 MiB limit/);
  });
});
