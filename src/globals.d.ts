import type { ViewerState } from './state/viewer.svelte';
import type { OverlayLayer } from './lib/overlays/overlay-layer';

declare global {
  interface Window {
    medlens: { viewer: ViewerState; overlay: OverlayLayer };
  }
}
