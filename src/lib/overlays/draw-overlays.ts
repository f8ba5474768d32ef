import type { MaskOverlay, Overlay } from './overlay-layer';
import type { Size } from '../geometry/view-transform';

type Matrix = [number, number, number, number, number, number];

/** Mask pixels as an RGBA bitmap in its colour, made once per mask object. */
const bitmaps = new WeakMap<MaskOverlay, OffscreenCanvas>();

function parseHex(color: string): [number, number, number] {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  return m ? [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)] : [255, 0, 0];
}

function maskBitmap(mask: MaskOverlay): OffscreenCanvas {
  let canvas = bitmaps.get(mask);
  if (canvas) return canvas;
  canvas = new OffscreenCanvas(mask.width, mask.height);
  const context = canvas.getContext('2d')!;
  const image = context.createImageData(mask.width, mask.height);
  const [r, g, b] = parseHex(mask.color);
  for (let i = 0; i < mask.data.length; i++) {
    if (mask.data[i]) image.data.set([r, g, b, 255], 4 * i);
  }
  context.putImageData(image, 0, 0);
  bitmaps.set(mask, canvas);
  return canvas;
}

/**
 * Draws overlays onto a context whose transform is identity in device pixels. Masks are
 * stretched over the image bounds with nearest-neighbour sampling (a mask pixel stays a
 * square); boxes are stroked in screen space so their lines keep one width at any zoom.
 */
export function drawOverlays(
  context: CanvasRenderingContext2D,
  overlays: readonly Overlay[],
  image: Size,
  toDevice: Matrix,
  pixelRatio: number,
): void {
  for (const overlay of overlays) {
    if (!overlay.visible) continue;
    context.save();
    context.globalAlpha = overlay.opacity;
    if (overlay.kind === 'mask') {
      context.setTransform(...toDevice);
      context.imageSmoothingEnabled = false;
      context.drawImage(maskBitmap(overlay), 0, 0, image.width, image.height);
    } else if (overlay.kind === 'line') {
      const [s, , , , e, f] = toDevice;
      context.strokeStyle = context.fillStyle = overlay.color;
      context.lineWidth = 2 * pixelRatio;
      context.beginPath();
      context.moveTo(overlay.x0 * s + e, overlay.y0 * s + f);
      context.lineTo(overlay.x1 * s + e, overlay.y1 * s + f);
      context.stroke();
      if (overlay.label) {
        context.font = `${12 * pixelRatio}px system-ui, sans-serif`;
        context.textBaseline = 'bottom';
        context.fillText(overlay.label, overlay.x1 * s + e + 4 * pixelRatio, overlay.y1 * s + f - 4 * pixelRatio);
      }
    } else {
      const [s, , , , e, f] = toDevice;
      const x = overlay.x0 * s + e;
      const y = overlay.y0 * s + f;
      const w = (overlay.x1 - overlay.x0) * s;
      const h = (overlay.y1 - overlay.y0) * s;
      context.strokeStyle = overlay.color;
      context.lineWidth = 2 * pixelRatio;
      context.strokeRect(x, y, w, h);
      if (overlay.label) {
        context.font = `${12 * pixelRatio}px system-ui, sans-serif`;
        context.fillStyle = overlay.color;
        context.textBaseline = 'bottom';
        context.fillText(overlay.label, x, y - 2 * pixelRatio);
      }
    }
    context.restore();
  }
}
