import { expect, it } from 'vitest';
import api from '../../workers/decode.worker';
import { unpackImage } from '../../src/lib/imaging/frame-pack';
import { decodeDicom } from '../../src/lib/imaging/dicom/decode-dicom';
import { fixtureBytes } from '../imaging/fixtures';

const bufferOf = (rel: string) => fixtureBytes(rel).slice().buffer;

it('decodes through the worker endpoint and keeps working after a refused file', async () => {
  const packed = await api.decode(bufferOf('dicom/MR_small_RLE.dcm'), 'MR_small_RLE.dcm');
  // One frame that owns its buffer travels as it is: the transfer moves exactly the pixels.
  expect(packed.frames.buffer.byteLength).toBe(64 * 64 * 2);
  const first = unpackImage(packed);
  expect([first.width, first.height, first.frames.length]).toEqual([64, 64, 1]);

  await expect(api.decode(bufferOf('dicom/MR_truncated.dcm'), 'MR_truncated.dcm')).rejects.toThrow(/truncated/);
  await expect(api.decode(bufferOf('generated/bad/not-dicom.dcm'), 'x.dcm')).rejects.toThrow(/not a DICOM file/);

  const after = unpackImage(
    await api.decode(bufferOf('dicom/MR_small_jpeg_ls_lossless.dcm'), 'MR_small_jpeg_ls_lossless.dcm'),
  );
  expect(Array.from(after.frames[0]!)).toEqual(Array.from(first.frames[0]!));
});

it('sends all frames of a multi-frame file in one buffer, and gives them back unchanged', async () => {
  const packed = await api.decode(bufferOf('dicom/rtdose.dcm'), 'rtdose.dcm');
  expect(packed.frames).toMatchObject({ type: 'Uint32Array', count: 15, length: 100 });
  expect(packed.frames.buffer.byteLength).toBe(15 * 100 * 4);
  const direct = await decodeDicom(fixtureBytes('dicom/rtdose.dcm'), 'rtdose.dcm');
  const frames = unpackImage(packed).frames;
  expect(frames.map((f) => Array.from(f))).toEqual(direct.frames.map((f) => Array.from(f)));
  expect(new Set(frames.map((f) => f.buffer)).size).toBe(1);
});
