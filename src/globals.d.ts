import type { ViewerState } from './state/viewer.svelte';
import type { OverlayLayer } from './lib/overlays/overlay-layer';
import type { SegmentationState } from './state/segmentation.svelte';
import type { AskState } from './state/ask.svelte';

declare global {
  /** The build's label (MEDLENS_BUILD when it was built; empty otherwise). */
  const __MEDLENS_BUILD__: string;
  interface Window {
    medlens: {
      viewer: ViewerState;
      overlay: OverlayLayer;
      segmentation: SegmentationState;
      ask: AskState;
      build?: string;
    };
  }
}
