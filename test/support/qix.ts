/** Opening QIX sessions on a double with the real enigma.js client and its published 12.x schema. */
import { once } from 'node:events';
import WebSocket from 'ws';
import enigma from 'enigma.js';
import schema from 'enigma.js/schemas/12.170.2.json';

/** A QIX object enigma.js made from the schema: every method answers a promise. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type QixApi = Record<string, (...args: any[]) => Promise<any>> & { handle: number; id?: string };

export interface QixClient {
  session: EnigmaJS.Session;
  global: QixApi;
  /** The OnConnected notification's qSessionState. */
  sessionState: string;
  close(): Promise<void>;
}

/**
 * Opens `/app/<path>` with enigma.js and waits for OnConnected. `headers` go on the upgrade
 * (Authorization, X-Qlik-Session, the namespace header).
 */
export async function openQix(baseUrl: string, path = 'engineData', headers: Record<string, string> = {}): Promise<QixClient> {
  let socket: WebSocket | undefined;
  const session = enigma.create({
    schema,
    url: `${baseUrl.replace(/^http/, 'ws')}/app/${path}`,
    // enigma.js types a DOM WebSocket; ws has the methods it calls.
    createSocket: (url: string) => (socket = new WebSocket(url, { headers })) as unknown as globalThis.WebSocket,
  });
  const connected = new Promise<string>((resolve) => session.on('notification:OnConnected', (params: unknown) => resolve((params as { qSessionState: string }).qSessionState)));
  const global = (await session.open()) as unknown as QixApi;
  const sessionState = await connected;
  return {
    session,
    global,
    sessionState,
    close: async () => {
      const closed = socket && socket.readyState !== WebSocket.CLOSED ? once(socket, 'close') : undefined;
      await session.close();
      await closed;
    },
  };
}

/** An upgrade the double refuses: resolves with the HTTP status and body it answered instead. */
export async function refusedUpgrade(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const socket = new WebSocket(url, { headers });
  const [, response] = (await once(socket, 'unexpected-response')) as [unknown, import('node:http').IncomingMessage];
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  socket.on('error', () => undefined); // terminating a refused handshake reports one
  socket.terminate();
  return { status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
}

/** A bare websocket to `/app/<path>` that has received OnConnected. */
export async function rawQix(baseUrl: string, path = 'engineData', headers: Record<string, string> = {}): Promise<{ socket: WebSocket; next(): Promise<Record<string, any>> }> {
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/app/${path}`, { headers });
  const queue: Record<string, any>[] = [];
  const waiting: ((message: Record<string, any>) => void)[] = [];
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as Record<string, any>;
    const waiter = waiting.shift();
    if (waiter) waiter(message);
    else queue.push(message);
  });
  const next = () => new Promise<Record<string, any>>((resolve) => (queue.length > 0 ? resolve(queue.shift()!) : waiting.push(resolve)));
  await once(socket, 'open');
  const connected = await next();
  if (connected.method !== 'OnConnected') throw new Error(`expected OnConnected first, got ${JSON.stringify(connected)}`);
  return { socket, next };
}
