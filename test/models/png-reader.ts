import { inflateSync } from 'node:zlib';

/**
 * A PNG decoder for the contract fixtures (tests only): non-interlaced, 8-bit greyscale or RGB,
 * and 1-bit greyscale; every row filter of the PNG spec. Returns one value per sample, and 1-bit
 * samples as 0/255 like PIL's "L" conversion.
 */
export function readPng(bytes: Uint8Array): { width: number; height: number; channels: 1 | 3; data: Uint8Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 8;
  let width = 0;
  let height = 0;
  let depth = 0;
  let colour = 0;
  const idat: Uint8Array[] = [];
  while (at < bytes.length) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const body = bytes.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      [depth, colour] = [body[8]!, body[9]!];
      if (body[12] !== 0) throw new Error('interlaced PNG is not supported here');
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    at += 12 + length;
  }
  const channels = colour === 2 ? 3 : 1;
  if (!((colour === 0 && (depth === 8 || depth === 1)) || (colour === 2 && depth === 8))) {
    throw new Error(`PNG colour type ${colour} at ${depth} bits is not supported here`);
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = Math.ceil((width * channels * depth) / 8);
  const bpp = Math.max(1, (channels * depth) / 8);
  const rows = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = rows.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? rows.subarray((y - 1) * stride, y * stride) : new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? out[i - bpp]! : 0;
      const b = up[i]!;
      const c = i >= bpp ? up[i - bpp]! : 0;
      let predictor = 0;
      if (filter === 1) predictor = a;
      else if (filter === 2) predictor = b;
      else if (filter === 3) predictor = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
        predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      out[i] = (line[i]! + predictor) & 0xff;
    }
  }
  if (depth === 8) return { width, height, channels, data: rows };
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) data[y * width + x] = (rows[y * stride + (x >> 3)]! >> (7 - (x & 7))) & 1 ? 255 : 0;
  return { width, height, channels: 1, data };
}
