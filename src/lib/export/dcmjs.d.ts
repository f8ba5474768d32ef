// The part of dcmjs (no bundled types) that the SEG writer uses: naturalized data sets in,
// Part 10 bytes out.
declare module 'dcmjs' {
  type Naturalized = Record<string, unknown>;
  interface DicomDict {
    dict: Naturalized;
    write(options?: { allowInvalidVRLength?: boolean }): ArrayBuffer;
  }
  const dcmjs: {
    data: {
      DicomDict: new (meta: Naturalized) => DicomDict;
      DicomMetaDictionary: { denaturalizeDataset(dataset: Naturalized): Naturalized };
    };
  };
  export default dcmjs;
}
