import type { ViewerState } from './state/viewer.svelte';
import type { OverlayLayer } from './lib/overlays/overlay-layer';
import type { SegmentationState } from './state/segmentation.svelte';
import type { AskState } from './state/ask.svelte';

declare global {
  interface Window {
    medlens: { viewer: ViewerState; overlay: OverlayLayer; segmentation: SegmentationState; ask: AskState };
  }
}
