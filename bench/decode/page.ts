// Decodes the same series with three decoders, each in a web worker, in one page:
// medlens (the app's own decode worker client), Cornerstone3D's decodeImageFrameWorker with
// dicom-parser on the main thread (as its wadouri loader does), and dcmjs (uncompressed only).
import { transfer, wrap } from 'comlink';
import * as dicomParser from 'dicom-parser';
import { DecoderClient } from '../../src/services/decoder-client';
import type { DcmjsApi } from './dcmjs.worker';

interface Row {
  decoder: string;
  syntax: string;
  slices: number;
  seconds: number;
  slicesPerSecond: number;
}
declare global {
  interface Window {
    benchFiles: Record<string, string[]>;
    benchResult?: Row[] | { error: string };
  }
}

const TS: Record<string, string> = {
  'explicit-le': '1.2.840.10008.1.2.1',
  rle: '1.2.840.10008.1.2.5',
  'jpeg-ls': '1.2.840.10008.1.2.4.80',
};

async function load(variant: string): Promise<ArrayBuffer[]> {
  return Promise.all(
    window.benchFiles[variant]!.map(async (f) => (await fetch(`./data/${variant}/${f}`)).arrayBuffer()),
  );
}

/** Every decoder starts from the same input a user gives: a File, made outside the timing. */
async function time(
  decoder: string,
  syntax: string,
  buffers: ArrayBuffer[],
  decode: (f: File) => Promise<unknown>,
): Promise<Row> {
  const files = buffers.map((b, i) => new File([b], `slice-${i}.dcm`));
  for (const f of files.slice(0, 20)) await decode(f); // warm up: codec load, JIT
  const start = performance.now();
  for (const f of files) await decode(f);
  const seconds = (performance.now() - start) / 1000;
  return { decoder, syntax, slices: buffers.length, seconds, slicesPerSecond: buffers.length / seconds };
}

const medlens = new DecoderClient();
const csWorker = new Worker(
  new URL('../../node_modules/@cornerstonejs/dicom-image-loader/dist/esm/decodeImageFrameWorker.js', import.meta.url),
  {
    type: 'module',
  },
);
const cornerstone = wrap<{ decodeTask(args: unknown): Promise<unknown> }>(csWorker);
const dcmjsWorker = wrap<DcmjsApi>(new Worker(new URL('./dcmjs.worker.ts', import.meta.url), { type: 'module' }));

function cornerstoneDecode(syntax: string) {
  return async (file: File) => {
    const buffer = await file.arrayBuffer();
    const bytes = new Uint8Array(buffer);
    const ds = dicomParser.parseDicom(bytes);
    const el = ds.elements.x7fe00010!;
    const pixelData = el.encapsulatedPixelData
      ? dicomParser.readEncapsulatedPixelDataFromFragments(ds, el, 0, el.fragments!.length)
      : new Uint8Array(buffer, el.dataOffset, el.length);
    const imageFrame = {
      rows: ds.uint16('x00280010'),
      columns: ds.uint16('x00280011'),
      samplesPerPixel: 1,
      bitsAllocated: 16,
      bitsStored: 16,
      pixelRepresentation: 1,
      photometricInterpretation: 'MONOCHROME2',
      planarConfiguration: 0,
    };
    return cornerstone.decodeTask({
      imageFrame,
      transferSyntax: TS[syntax],
      pixelData,
      decodeConfig: {},
      options: { preScale: { enabled: false } },
    });
  };
}

try {
  const rows: Row[] = [];
  for (const syntax of Object.keys(window.benchFiles)) {
    const buffers = await load(syntax);
    rows.push(await time('medlens worker', syntax, buffers, (f) => medlens.decode(f)));
    rows.push(await time('Cornerstone3D worker', syntax, buffers, cornerstoneDecode(syntax)));
    if (syntax === 'explicit-le')
      rows.push(
        await time('dcmjs worker', syntax, buffers, async (f) => {
          const b = await f.arrayBuffer();
          return dcmjsWorker.decode(transfer(b, [b]));
        }),
      );
  }
  window.benchResult = rows;
} catch (error) {
  window.benchResult = { error: String(error) };
}
document.getElementById('out')!.textContent = JSON.stringify(window.benchResult, null, 1);
