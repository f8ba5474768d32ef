import { version } from '../../package.json';
import { dicomDateTime } from '../lib/export/dicom-uid';
import { encodeGreyPng } from '../lib/export/png';
import { labelMask, resultsJson, segDocument } from '../lib/export/results';
import type { ViewerState } from '../state/viewer.svelte';

export type ExportFormat = 'seg' | 'png' | 'json';

export interface ExportFile {
  name: string;
  mime: string;
  bytes: Uint8Array;
}

const SOFTWARE = `medlens ${version}`;

/** A file name without patient identifiers: what it is and when it was made. */
function fileName(kind: string, extension: string): string {
  const { date, time } = dicomDateTime(new Date());
  return `medlens-${kind}-${date}-${time}.${extension}`;
}

/**
 * The displayed series' results as a file: a DICOM SEG of its masks, a PNG label mask of the
 * displayed slice, or JSON of every result with provenance and measurements. Made in the page;
 * nothing is sent anywhere.
 */
export async function exportResults(viewer: ViewerState, format: ExportFormat): Promise<ExportFile> {
  const stack = viewer.stack;
  const slice = viewer.slice;
  if (!stack || !slice) throw new Error('open an image first');
  const results = { stack, overlays: viewer.overlay.list(), software: SOFTWARE };
  if (format === 'seg') {
    // dcmjs is large: loaded only when a SEG is written.
    const { writeDicomSeg } = await import('../lib/export/dicom-seg');
    return { name: fileName('seg', 'dcm'), mime: 'application/dicom', bytes: writeDicomSeg(segDocument(results)) };
  }
  if (format === 'png') {
    const { data } = labelMask(slice, results.overlays);
    return {
      name: fileName('labels', 'png'),
      mime: 'image/png',
      bytes: encodeGreyPng(slice.image.width, slice.image.height, data),
    };
  }
  const json = JSON.stringify(resultsJson(results), null, 1);
  return { name: fileName('results', 'json'), mime: 'application/json', bytes: new TextEncoder().encode(json) };
}

/** Saves a file through the browser's download: a Blob URL in this page, never an upload. */
export function download(file: ExportFile): void {
  const url = URL.createObjectURL(new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.mime }));
  const link = document.createElement('a');
  link.href = url;
  link.download = file.name;
  link.click();
  // Revoked later: some browsers read the URL after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
