import type { SegmentationModel } from './manifest';

/** What ONNX Runtime reports of a graph input (its InferenceSession.inputMetadata). */
export interface GraphInput {
  name: string;
  isTensor: boolean;
  type?: string;
  shape?: ReadonlyArray<number | string>;
}

/**
 * Compares the graphs' declared inputs with the manifest's contract before anything runs, so a
 * model exported another way is refused with a reason instead of giving a silent garbage mask.
 * Returns what does not fit, or undefined.
 */
export function contractMismatch(
  model: SegmentationModel,
  encoder: readonly GraphInput[],
  decoder: readonly GraphInput[],
): string | undefined {
  const image = encoder.find((i) => i.name === model.encoder.input);
  if (!image) {
    return `the encoder has no input ${model.encoder.input} (it has ${encoder.map((i) => i.name).join(', ')})`;
  }
  const shape = image.shape ?? [];
  const hwc = model.preprocessing.layout === 'hwc';
  if (hwc && shape.length === 4) {
    return 'this encoder takes an NCHW tensor normalised outside; the manifest describes an HWC image (0–255)';
  }
  if (!hwc && shape.length === 3) {
    return (
      'this encoder takes an HWC image (0–255, normalised and padded inside the graph, as samexporter ' +
      '--use-preprocess exports do); the manifest describes an NCHW input normalised outside'
    );
  }
  if (shape.length === 4) {
    const [, channels, h, w] = shape;
    if (typeof channels === 'number' && channels !== 3) return `this encoder takes ${channels} channels, not 3`;
    const side = [h, w].find((d): d is number => typeof d === 'number');
    if (side !== undefined && side !== model.inputSize) {
      return `this encoder takes ${side}×${side} inputs; the manifest says ${model.inputSize}×${model.inputSize}`;
    }
  }
  const d = model.decoder;
  const wanted = [
    d.embeddings,
    d.positionalEmbeddings,
    d.pointCoords,
    d.pointLabels,
    d.boxes,
    d.origSize,
    d.maskInput,
    d.hasMaskInput,
  ];
  for (const name of wanted) {
    if (name && !decoder.some((i) => i.name === name)) {
      return `the decoder has no input ${name} (it has ${decoder.map((i) => i.name).join(', ')})`;
    }
  }
  const size = decoder.find((i) => i.name === d.origSize);
  if (size?.type && size.type !== d.origSizeType) {
    return `the decoder takes ${d.origSize} as ${size.type}; the manifest says ${d.origSizeType}`;
  }
  return undefined;
}
