import { fromFraction } from './frame';
import type { GroundedBox, ImageFrame, ImageSize } from './types';

/**
 * Orders corners, clips to the image and drops what is left empty or not finite, so no box
 * from a model, however malformed, ends up outside the image.
 */
export function clampBox(
  label: string,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  image: ImageSize,
): GroundedBox | undefined {
  if (![x0, y0, x1, y1].every(Number.isFinite)) return undefined;
  const clip = (v: number, max: number) => Math.min(Math.max(v, 0), max);
  const box = {
    label: label.trim(),
    x0: clip(Math.min(x0, x1), image.width),
    y0: clip(Math.min(y0, y1), image.height),
    x1: clip(Math.max(x0, x1), image.width),
    y1: clip(Math.max(y0, y1), image.height),
  };
  return box.x1 > box.x0 && box.y1 > box.y0 ? box : undefined;
}

/** A box given as fractions (0–1 per axis) of the model's input, in pixels of the original image. */
export function boxFromFractions(
  label: string,
  frame: ImageFrame,
  [fx0, fy0, fx1, fy1]: [number, number, number, number],
): GroundedBox | undefined {
  const a = fromFraction(frame, fx0, fy0);
  const b = fromFraction(frame, fx1, fy1);
  return clampBox(label, a.x, a.y, b.x, b.y, frame.image);
}

export function compact<T>(items: (T | undefined)[]): T[] {
  return items.filter((x): x is T => x !== undefined);
}

/** Every complete JSON object in the text that has `key`, skipping ones cut off mid-stream. */
export function jsonObjectsWith(text: string, key: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let start = text.indexOf('{'); start >= 0; start = text.indexOf('{', start + 1)) {
    let depth = 0;
    let inString = false;
    for (let i = start; i < text.length; i++) {
      const c = text[i];
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{') depth++;
      else if (c === '}' && --depth === 0) {
        try {
          const value = JSON.parse(text.slice(start, i + 1));
          if (value && typeof value === 'object' && !Array.isArray(value) && key in value) out.push(value);
        } catch {
          // not JSON (a model's prose with braces): skipped
        }
        break;
      }
    }
  }
  return out;
}

export const numbers = (value: unknown, n: number): number[] | undefined =>
  Array.isArray(value) && value.length === n && value.every((v) => typeof v === 'number' && Number.isFinite(v))
    ? (value as number[])
    : undefined;
