import { mount } from 'svelte';
import EmbedApp from './ui/EmbedApp.svelte';
import { ViewerState } from './state/viewer.svelte';
import { SegmentationState } from './state/segmentation.svelte';
import { DecoderClient } from './services/decoder-client';
import { SegmentClient } from './services/segment-client';
import { startEmbedBridge } from './services/embed-bridge';
import { AskState } from './state/ask.svelte';
import { VlmClient } from './services/vlm-client';
import { embedAllowlist } from './lib/protocol/messages';
import { fetchManifest } from './lib/models/manifest';
import './app.css';

// The viewer without chrome, for an iframe. The deployment lists the origins it serves in
// embed-origins.json beside embed.html; a host page's ?allowed= can only narrow that list.
// Messages that arrive while the widget starts (the model list is still loading) are kept, a
// bounded number, and answered once it is ready: a host that sends at once is never ignored.
const EARLY_LIMIT = 64;
const early: MessageEvent[] = [];
const keep = (event: MessageEvent) => {
  if (early.length < EARLY_LIMIT) early.push(event);
};
window.addEventListener('message', keep);
const allowed = fetch(`${import.meta.env.BASE_URL}embed-origins.json`, { cache: 'no-store' })
  .then((response) => (response.ok ? response.json() : undefined))
  .catch(() => undefined) // unreadable (offline, missing): the widget answers nobody
  .then((config) => embedAllowlist(config, new URLSearchParams(location.search).get('allowed')))
  // Pages of the deployment itself (public/embed-example.html) are always served.
  .then((origins) => origins.add(location.origin));
const viewer = new ViewerState(new DecoderClient());
const modelsUrl = new URL(`${import.meta.env.BASE_URL}models/`, location.href).href;
const segmentation = new SegmentationState(viewer, new SegmentClient(), modelsUrl);
const ask = new AskState(viewer, segmentation, new VlmClient(), modelsUrl);
mount(EmbedApp, { target: document.getElementById('app')!, props: { viewer, segmentation } });
const catalog = fetchManifest(modelsUrl);
const [origins] = await Promise.all([allowed, segmentation.useModels(catalog), ask.useModels(catalog)]);
window.removeEventListener('message', keep);
startEmbedBridge(viewer, segmentation, ask, origins, early);
window.medlens = { viewer, overlay: viewer.overlay, segmentation, ask };
