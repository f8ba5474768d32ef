import { expose } from 'comlink';
import dcmjs from 'dcmjs';

/** dcmjs' Part 10 read + naturalise, then the pixel array and its range, as a viewer needs. */
const api = {
  decode(buffer: ArrayBuffer): number {
    const dict = dcmjs.data.DicomMessage.readFile(buffer);
    const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
    const pixels = new Int16Array(ds.PixelData[0]);
    let min = Infinity;
    for (let i = 0; i < pixels.length; i++) if (pixels[i]! < min) min = pixels[i]!;
    return min;
  },
};
export type DcmjsApi = typeof api;
expose(api);
