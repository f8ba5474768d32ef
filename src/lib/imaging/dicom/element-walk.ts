import { DEFLATED_TS, IMPLICIT_LE_TS } from './transfer-syntax';

/** Value representations of PS3.5 6.2; those after which the length takes 32 bits (7.1.2). */
const VRS = new Set(
  'AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(' '),
);
const LONG_VRS = new Set('OB OD OF OL OV OW SQ SV UC UN UR UT UV'.split(' '));
const BIG_ENDIAN_TS = '1.2.840.10008.1.2.2';
const UNDEFINED_LENGTH = 0xffffffff;

export interface WalkFinding {
  kind: 'truncated' | 'malformed';
  text: string;
}

const hex = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');
const printable = (s: string) =>
  s.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

/**
 * Walks the top-level elements of a Part 10 file (meta header in explicit VR little endian,
 * then the data set in its own transfer syntax) to say what is wrong and where: a file that
 * ends inside an element is truncated; an element whose VR or length contradicts the transfer
 * syntax is malformed. It stops, finding nothing, at the first element of undefined length
 * (a sequence or encapsulated pixel data) and at a deflated data set.
 *
 * `start` is where the meta header (or, without one, the data set) begins; `syntax` is the
 * data set's transfer syntax when there is no meta header to name it.
 */
export function walkElements(bytes: Uint8Array, start: number, syntax?: string): WalkFinding | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.length;
  let p = start;
  let inMeta = true;
  while (p < n) {
    if (p + 8 > n) return { kind: 'truncated', text: `the file ends inside the element header at offset ${p}` };
    if (inMeta && view.getUint16(p, true) !== 0x0002) {
      inMeta = false;
      if (syntax === DEFLATED_TS) return undefined;
    }
    const explicit = inMeta || syntax !== IMPLICIT_LE_TS;
    const little = inMeta || syntax !== BIG_ENDIAN_TS;
    const group = view.getUint16(p, little);
    const element = view.getUint16(p + 2, little);
    const tag = `(${hex(group)},${hex(element)})`;
    const vr = String.fromCharCode(bytes[p + 4]!, bytes[p + 5]!);
    let header = 8;
    let length: number;
    if (explicit && group !== 0xfffe) {
      if (!VRS.has(vr)) {
        return {
          kind: 'malformed',
          text: `malformed at offset ${p}, tag ${tag}: "${printable(vr)}" is not a value representation, though the transfer syntax says explicit VR`,
        };
      }
      if (LONG_VRS.has(vr)) {
        if (p + 12 > n) return { kind: 'truncated', text: `the file ends inside the header of element ${tag}` };
        length = view.getUint32(p + 8, little);
        header = 12;
      } else {
        length = view.getUint16(p + 6, little);
      }
    } else {
      length = view.getUint32(p + 4, little);
      if (VRS.has(vr) && length !== UNDEFINED_LENGTH && length > n - p - 8) {
        return {
          kind: 'malformed',
          text: `malformed at offset ${p}, tag ${tag}: the element is written with explicit VR ("${vr}") but the transfer syntax says implicit VR`,
        };
      }
    }
    if (length === UNDEFINED_LENGTH) return undefined;
    if (p + header + length > n) {
      return {
        kind: 'truncated',
        text: `the file ends inside element ${tag} at offset ${p}: its value needs ${length} bytes, ${n - p - header} remain`,
      };
    }
    if (inMeta && group === 0x0002 && element === 0x0010) {
      // Read as dicom-parser does: up to the first NUL, trailing spaces dropped.
      syntax = String.fromCharCode(...bytes.subarray(p + header, p + header + length))
        .split('\0')[0]!
        .trimEnd();
    }
    p += header + length;
  }
  return undefined;
}
