/**
 * Child process of the benchmark: the QIX ceiling. A bare `ws` server that greets every socket with
 * one frame (as the engine sends OnConnected) and echoes every frame back, and nothing else.
 * Usage: node ws-echo-server.js <port>
 */
import http from 'node:http';
import { WebSocketServer } from 'ws';

const [port] = process.argv.slice(2);
if (!port) {
  process.stderr.write('usage: ws-echo-server.js <port>\n');
  process.exit(2);
}
const GREETING = JSON.stringify({ jsonrpc: '2.0', method: 'OnConnected', params: { qSessionState: 'SESSION_CREATED' } });
const server = http.createServer((_req, res) => res.end('ok')); // answers the harness's readiness probe
new WebSocketServer({ server }).on('connection', (socket) => {
  socket.send(GREETING);
  socket.on('message', (data) => socket.send(data, { binary: false }));
});
server.listen(Number(port), '127.0.0.1');
