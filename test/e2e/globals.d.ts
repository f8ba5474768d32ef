import type { EmbeddedViewer } from '../../src/lib/protocol/client';

declare global {
  interface Window {
    /** Set by the host page of test/e2e/host-server.ts. */
    viewerPromise: Promise<EmbeddedViewer>;
    replies: { origin: string; data: unknown }[];
  }
}
