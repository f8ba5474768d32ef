// Type shims for codec packages that ship JavaScript without declarations.
declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs' {
  const factory: unknown;
  export default factory;
}
declare module '@cornerstonejs/codec-charls/decodewasmjs' {
  const factory: unknown;
  export default factory;
}
declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  const factory: unknown;
  export default factory;
}
declare module 'cornerstone-jpeg12' {
  export default class JpegImage {
    colorTransform: boolean;
    parse(data: Uint8Array): void;
    getData16(width: number, height: number): Uint16Array;
  }
}
