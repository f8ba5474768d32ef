import type { DataSet } from 'dicom-parser';
import type { SegmentationInfo } from '../types';

export const SEGMENTATION_STORAGE = '1.2.840.10008.5.1.4.1.1.66.4';

/**
 * What a DICOM Segmentation says about its frames (PS3.3 A.51, C.8.20): each segment's number,
 * label and colour, and for each frame its segment (Segment Identification) and the source
 * image it was drawn on (Derivation Image → Source Image).
 */
export function readSegmentationInfo(ds: DataSet): SegmentationInfo {
  const segments = (ds.elements.x00620002?.items ?? []).map(({ dataSet: item }) => {
    const lab = item?.elements.x0062000d ? [0, 1, 2].map((i) => item.uint16('x0062000d', i) ?? 0) : undefined;
    return {
      number: item?.uint16('x00620004') ?? 0,
      label: item?.string('x00620005') ?? '',
      lab: lab as [number, number, number] | undefined,
    };
  });
  const frames = (ds.elements.x52009230?.items ?? []).map(({ dataSet: group }) => {
    const segment = group?.elements.x0062000a?.items?.[0]?.dataSet?.uint16('x0062000b');
    const source = group?.elements.x00089124?.items?.[0]?.dataSet?.elements.x00082112?.items?.[0]?.dataSet;
    return {
      segment: segment ?? 1,
      sourceInstanceUid: source?.string('x00081155'),
      sourceFrame: source?.intString('x00081160'),
    };
  });
  return { segments, frames };
}
