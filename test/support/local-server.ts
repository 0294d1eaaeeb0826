import { once } from 'node:events';
import http, { type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as a local server received it, body read whole. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}

export interface LocalServer {
  url: string;
  /** Every request so far, in order of arrival. */
  seen: SeenRequest[];
  /** Cuts open connections, then resolves once the server is closed. */
  close(): Promise<void>;
}

/**
 * A server on loopback that answers as `answer` says: the broken or odd server a real engine (or
 * anything else at a URL a user gives) may be. Each request is read whole and remembered first;
 * an answer that never ends the response leaves the client waiting.
 */
export async function localServer(answer: (request: SeenRequest, res: ServerResponse) => void): Promise<LocalServer> {
  const seen: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks) };
      seen.push(request);
      answer(request, res);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
