// How a host page uses the embed client: allow this page's origin, embed, open, segment.
import { Medlens } from './medlens-client.js';

const iframe = document.getElementById('widget');
const log = (text) => (document.getElementById('log').textContent += `${text}\n`);
iframe.src = `./embed.html?allowed=${encodeURIComponent(location.origin)}`;
const viewer = await Medlens.embed(iframe);
log(`widget ready: ${viewer.capabilities.models.length} models, WebGPU ${viewer.capabilities.webgpu}`);

document.getElementById('file').addEventListener('change', async (event) => {
  const file = event.target.files[0];
  if (!file) return;
  const { images } = await viewer.open(await file.arrayBuffer(), file.name);
  log(`opened ${file.name}: ${images} image(s)`);
  const mask = await viewer.segment({ model: 'test-sam-tiny', box: [40, 40, 200, 160] }, (stage) => log(stage));
  log(`mask from ${mask.model}: bbox ${JSON.stringify(mask.bbox)}, ${mask.rle.counts.length} runs`);
});
