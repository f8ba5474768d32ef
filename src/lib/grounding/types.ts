/** A box a model named, mapped back to pixels of the original image: [x0, x1) × [y0, y1). */
export interface GroundedBox {
  label: string;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface ImageSize {
  width: number;
  height: number;
}

/**
 * The image a question was about and how the model's input was made from it: first centred on
 * a square where the family pads (the manifest's `imagePadding`, which the worker applied), then
 * resized by the model's processor to `input` (read from the processor's output when it ran).
 */
export interface ImageFrame {
  image: ImageSize;
  padding: 'centre-square' | 'none';
  input?: ImageSize;
}

/** One model family's box syntax: reads every complete box in (possibly half-streamed) text. */
export interface BoxFormat {
  id: string;
  /**
   * Never throws; returns only boxes inside the image with positive area. `task` is the prompt
   * for families whose answer syntax depends on it (Florence-2's task tokens).
   */
  parse(text: string, frame: ImageFrame, task?: string): GroundedBox[];
}
