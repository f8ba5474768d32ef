import type { DataSet } from 'dicom-parser';

/**
 * The first `count` values of a DS (decimal string) attribute, or undefined when the data set
 * or the attribute is absent or any of those values is not a finite number.
 */
export function decimalValues(ds: DataSet | undefined, tag: string, count: number): number[] | undefined {
  if (!ds?.elements[tag]) return undefined;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const v = ds.floatString(tag, i);
    if (v === undefined || !Number.isFinite(v)) return undefined;
    out.push(v);
  }
  return out;
}
