import { mount } from 'svelte';
import App from './ui/App.svelte';
import { ViewerState } from './state/viewer.svelte';
import { DecoderClient } from './services/decoder-client';
import { SegmentationState } from './state/segmentation.svelte';
import { fetchManifest } from './lib/models/manifest';
import { SegmentClient } from './services/segment-client';
import { AskState } from './state/ask.svelte';
import { VlmClient } from './services/vlm-client';
import { OfflineState } from './state/offline.svelte';
import { registerSW } from 'virtual:pwa-register';
import './app.css';

const viewer = new ViewerState(new DecoderClient());
// Models are served beside the app (models/ in dev, dist/models/ in a build).
const modelsUrl = new URL(`${import.meta.env.BASE_URL}models/`, location.href).href;
const segmentation = new SegmentationState(viewer, new SegmentClient(), modelsUrl);
const ask = new AskState(viewer, segmentation, new VlmClient(), modelsUrl);
const catalog = fetchManifest(modelsUrl);
void segmentation.useModels(catalog);
void ask.useModels(catalog);
const offline = new OfflineState();
mount(App, { target: document.getElementById('app')!, props: { viewer, segmentation, offline, ask } });

// The service worker precaches the app shell; once it controls the page the app runs offline.
// A new version installs beside the running one and waits: the app offers it, and reloading
// through it switches every asset at once (never a mix of old and new).
const updateSW = registerSW({
  immediate: true,
  onOfflineReady: () => offline.markReady(),
  onNeedRefresh: () => offline.offerUpdate(() => updateSW(true)),
  onRegisteredSW: () => void offline.refresh(),
});
if (navigator.serviceWorker?.controller) offline.markReady();

// The page's scripting surface: the overlay layer that segmentation and the VLM draw into,
// and the viewer and segmentation state (used by host pages and the end-to-end tests).
window.medlens = { viewer, overlay: viewer.overlay, segmentation, ask, build: __MEDLENS_BUILD__ };
