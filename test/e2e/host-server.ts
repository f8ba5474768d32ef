import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

const CLIENT = fileURLToPath(new URL('../../dist/medlens-client.js', import.meta.url));

const HOST_HTML = `<!doctype html><html><head><meta charset="utf-8"><title>host</title></head>
<body><iframe id="widget" style="width:800px;height:500px"></iframe><script type="module" src="/host.js"></script></body></html>`;

// The embedding page: points the iframe at the widget URL given in ?widget=, records every
// message it receives, and connects with the published client module.
const HOST_JS = `import { Medlens } from '/medlens-client.js';
window.replies = [];
window.addEventListener('message', (e) => window.replies.push({ origin: e.origin, data: e.data }));
const iframe = document.getElementById('widget');
iframe.src = new URLSearchParams(location.search).get('widget');
const query = new URLSearchParams(location.search);
window.viewerPromise = Medlens.embed(iframe, {
  timeoutMs: Number(query.get('timeout') ?? 60000),
  requestTimeoutMs: Number(query.get('requestTimeout') ?? 600000),
});
window.viewerPromise.catch(() => {});
`;

/** A host page on its own origin (127.0.0.1:<port>), serving dist/medlens-client.js. */
export async function serveHost(): Promise<{ origin: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url!, 'http://x').pathname;
    if (path === '/host.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(HOST_JS);
    else if (path === '/medlens-client.js')
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(CLIENT));
    else if (path === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(HOST_HTML);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

const ORIGINS_FILE = fileURLToPath(new URL('../../dist/embed-origins.json', import.meta.url));

/**
 * Lists `origins` in the built app's embed-origins.json, as a deployment would, and returns a
 * function that puts the shipped list back. The widget and the preview server read the file on
 * each load.
 */
export function allowInWidget(origins: string[]): () => void {
  const shipped = readFileSync(ORIGINS_FILE, 'utf8');
  writeFileSync(ORIGINS_FILE, JSON.stringify({ allowed: origins }));
  return () => writeFileSync(ORIGINS_FILE, shipped);
}
