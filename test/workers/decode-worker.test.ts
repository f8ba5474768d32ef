import { expect, it } from 'vitest';
import api from '../../workers/decode.worker';
import { fixtureBytes } from '../imaging/fixtures';

const bufferOf = (rel: string) => fixtureBytes(rel).slice().buffer;

it('decodes through the worker endpoint and keeps working after a refused file', async () => {
  const first = await api.decode(bufferOf('dicom/MR_small_RLE.dcm'), 'MR_small_RLE.dcm');
  expect([first.width, first.height, first.frames.length]).toEqual([64, 64, 1]);
  // Each frame owns its buffer, so the transfer list moves exactly the pixels.
  expect(first.frames[0]!.byteLength).toBe(first.frames[0]!.buffer.byteLength);

  await expect(api.decode(bufferOf('dicom/MR_truncated.dcm'), 'MR_truncated.dcm')).rejects.toThrow(/truncated/);
  await expect(api.decode(bufferOf('generated/bad/not-dicom.dcm'), 'x.dcm')).rejects.toThrow(/not a DICOM file/);

  const after = await api.decode(bufferOf('dicom/MR_small_jpeg_ls_lossless.dcm'), 'MR_small_jpeg_ls_lossless.dcm');
  expect(Array.from(after.frames[0]!)).toEqual(Array.from(first.frames[0]!));
});
