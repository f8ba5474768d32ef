import { mount } from 'svelte';
import App from './ui/App.svelte';
import { ViewerState } from './state/viewer.svelte';
import { DecoderClient } from './services/decoder-client';
import './app.css';

const viewer = new ViewerState(new DecoderClient());
mount(App, { target: document.getElementById('app')!, props: { viewer } });

// The page's scripting surface: the overlay layer that segmentation and the VLM draw into,
// and the viewer state (used by host pages and the end-to-end tests).
window.medlens = { viewer, overlay: viewer.overlay };
