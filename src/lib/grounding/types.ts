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

/** One model family's box syntax: reads every complete box in (possibly half-streamed) text. */
export interface BoxFormat {
  id: string;
  /** Never throws; returns only boxes inside the image with positive area. */
  parse(text: string, image: ImageSize): GroundedBox[];
}
