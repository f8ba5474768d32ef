import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const MODELS = fileURLToPath(new URL('../../models/', import.meta.url));

/** A local test server: each request's path and Range header, in order. */
interface TestServer {
  requests: string[];
  ranges: string[];
  close: () => Promise<void>;
}

/**
 * Serves models/ on 127.0.0.1 as a static host would beside the app, with byte ranges (for
 * resumed downloads); records each request's path and Range header.
 */
export async function serveModels(): Promise<TestServer & { baseUrl: string }> {
  const requests: string[] = [];
  const ranges: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url!, 'http://x').pathname).replace(/^\/models\//, '');
    requests.push(path);
    const file = MODELS + path;
    if (path.includes('..') || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    sendRange(req, res, statSync(file).size, (start) => createReadStream(file, { start }), ranges);
  });
  const { origin, close } = await listen(server);
  return { baseUrl: `${origin}/models/`, requests, ranges, close };
}

/** Answers a GET with the whole body, or from a `bytes=N-` Range on (206, or 416 past the end). */
function sendRange(
  req: IncomingMessage,
  res: ServerResponse,
  size: number,
  open: (start: number) => Readable,
  ranges: string[],
): void {
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  if (range) {
    ranges.push(req.headers.range!);
    const start = Number(range[1]);
    if (start >= size) {
      res.writeHead(416).end();
      return;
    }
    res.writeHead(206, { 'content-length': size - start, 'content-range': `bytes ${start}-${size - 1}/${size}` });
    open(start).pipe(res);
    return;
  }
  res.writeHead(200, { 'content-length': size, 'content-type': 'application/octet-stream' });
  open(0).pipe(res);
}

/**
 * Plays the model hub on 127.0.0.1: serves `files` (keyed "<owner>/<repo>/resolve/<commit>/<path>")
 * at the hub's own paths, with byte ranges, and 404 for anything else (another revision too).
 */
export async function serveHub(files: Record<string, Uint8Array>): Promise<TestServer & { origin: string }> {
  const requests: string[] = [];
  const ranges: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url!, 'http://x').pathname).slice(1);
    requests.push(path);
    const bytes = files[path];
    if (!bytes) {
      res.writeHead(404).end('Entry not found');
      return;
    }
    sendRange(req, res, bytes.length, (start) => Readable.from([bytes.subarray(start)]), ranges);
  });
  return { ...(await listen(server)), requests, ranges };
}

async function listen(server: Server): Promise<{ origin: string; close: () => Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
