import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ListeningServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves a host app on a free loopback port. */
export async function listen(handler: http.RequestListener): Promise<ListeningServer> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A host's auth, faked: the `x-test-user` header carries the claims its token would. */
export function claimsOf(header: string | string[] | undefined): unknown {
  return typeof header === 'string' ? JSON.parse(header) : undefined;
}
