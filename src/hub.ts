import { mount } from 'svelte';
import HubApp from './ui/HubApp.svelte';
import './app.css';

// The one page allowed to reach the model hub (its CSP names it); opened on purpose by the user.
const modelsUrl = new URL(`${import.meta.env.BASE_URL}models/`, location.href).href;
mount(HubApp, {
  target: document.getElementById('app')!,
  props: { modelsUrl, modelId: new URLSearchParams(location.search).get('model') ?? '' },
});
