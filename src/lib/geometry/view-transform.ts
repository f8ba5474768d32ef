export interface Size {
  width: number;
  height: number;
}
export interface Point {
  x: number;
  y: number;
}

/** Zoom multiplies the fit-to-viewport scale; pan is in CSS pixels from the centred position. */
export interface ViewState {
  zoom: number;
  panX: number;
  panY: number;
}

export const FIT_VIEW: ViewState = { zoom: 1, panX: 0, panY: 0 };
export const MIN_ZOOM = 0.05;
export const MAX_ZOOM = 64;

/** CSS pixels per image pixel. */
export function viewScale(image: Size, viewport: Size, view: ViewState): number {
  const fit = Math.min(viewport.width / image.width, viewport.height / image.height);
  return fit * view.zoom;
}

/** Canvas 2D transform (a, b, c, d, e, f) that maps image pixels to CSS pixels. */
export function imageToScreenMatrix(
  image: Size,
  viewport: Size,
  view: ViewState,
): [number, number, number, number, number, number] {
  const s = viewScale(image, viewport, view);
  return [
    s,
    0,
    0,
    s,
    viewport.width / 2 + view.panX - (image.width / 2) * s,
    viewport.height / 2 + view.panY - (image.height / 2) * s,
  ];
}

export function imageToScreen(p: Point, image: Size, viewport: Size, view: ViewState): Point {
  const [s, , , , e, f] = imageToScreenMatrix(image, viewport, view);
  return { x: p.x * s + e, y: p.y * s + f };
}

export function screenToImage(p: Point, image: Size, viewport: Size, view: ViewState): Point {
  const [s, , , , e, f] = imageToScreenMatrix(image, viewport, view);
  return { x: (p.x - e) / s, y: (p.y - f) / s };
}

/** Zooms by `factor` keeping the image point under `anchor` (CSS pixels) where it is. */
export function zoomAbout(view: ViewState, factor: number, anchor: Point, image: Size, viewport: Size): ViewState {
  const zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, view.zoom * factor));
  const fixed = screenToImage(anchor, image, viewport, view);
  const next = { ...view, zoom };
  const moved = imageToScreen(fixed, image, viewport, next);
  return { zoom, panX: view.panX + anchor.x - moved.x, panY: view.panY + anchor.y - moved.y };
}
