import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';

const MODELS = fileURLToPath(new URL('../../models/', import.meta.url));

/**
 * Serves models/ on 127.0.0.1 as a static host would beside the app, with byte ranges (for
 * resumed downloads); records each request's path and Range header.
 */
export async function serveModels(): Promise<{
  baseUrl: string;
  requests: string[];
  ranges: string[];
  close: () => Promise<void>;
}> {
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
    const size = statSync(file).size;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range) {
      ranges.push(req.headers.range!);
      const start = Number(range[1]);
      if (start >= size) {
        res.writeHead(416).end();
        return;
      }
      res.writeHead(206, { 'content-length': size - start, 'content-range': `bytes ${start}-${size - 1}/${size}` });
      createReadStream(file, { start }).pipe(res);
      return;
    }
    res.writeHead(200, { 'content-length': size, 'content-type': 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    baseUrl: `http://127.0.0.1:${port}/models/`,
    requests,
    ranges,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
