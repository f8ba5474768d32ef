import type { DataSet, Element } from 'dicom-parser';
import type { TagRow } from '../types';
import { TAG_DICTIONARY } from './tag-dictionary';

const MAX_VALUE_CHARS = 160;
const STRING_VRS = new Set([
  'AE',
  'AS',
  'CS',
  'DA',
  'DS',
  'DT',
  'IS',
  'LO',
  'LT',
  'PN',
  'SH',
  'ST',
  'TM',
  'UC',
  'UI',
  'UR',
  'UT',
]);
const NUMBER_READERS: Record<string, [keyof DataSet, number]> = {
  US: ['uint16', 2],
  SS: ['int16', 2],
  UL: ['uint32', 4],
  SL: ['int32', 4],
  FL: ['float', 4],
  FD: ['double', 8],
};

function printable(bytes: Uint8Array): boolean {
  return bytes.every((b) => b === 0 || (b >= 0x20 && b < 0x7f));
}

function valueOf(ds: DataSet, element: Element, vr: string): string {
  if (element.items) return `sequence of ${element.items.length} item(s)`;
  if (element.encapsulatedPixelData) return `${element.fragments?.length ?? 0} encapsulated fragment(s)`;
  const reader = NUMBER_READERS[vr];
  if (reader) {
    const [method, size] = reader;
    const count = Math.min(Math.floor(element.length / size), 16);
    const read = ds[method] as (tag: string, index: number) => number | undefined;
    return Array.from({ length: count }, (_, i) => read.call(ds, element.tag, i)).join('\\');
  }
  const bytes = ds.byteArray.subarray(
    element.dataOffset,
    element.dataOffset + Math.min(element.length, MAX_VALUE_CHARS),
  );
  if (STRING_VRS.has(vr) || (element.length <= MAX_VALUE_CHARS && printable(bytes))) {
    return new TextDecoder('latin1').decode(bytes).replace(/\0/g, '').trim();
  }
  return `${element.length} bytes`;
}

/** Every top-level attribute as a row for the tag panel; sequence contents are summarised. */
export function listTags(ds: DataSet): TagRow[] {
  return Object.values(ds.elements)
    .map((element) => {
      const tag = element.tag.slice(1).toUpperCase();
      const vr = element.vr ?? TAG_DICTIONARY[tag]?.[0] ?? 'UN';
      return { tag, vr, value: valueOf(ds, element, vr) };
    })
    .sort((a, b) => (a.tag < b.tag ? -1 : 1));
}
