/**
 * Child process of the benchmark: the ceiling. A bare node:http server that answers every request
 * with the bytes and Content-Type the double sent for GET /v1/apps/{id}, and nothing else.
 * Usage: node ceiling-server.js <port> <body file> <content type>
 */
import fs from 'node:fs';
import http from 'node:http';

const [port, bodyFile, contentType] = process.argv.slice(2);
if (!port || !bodyFile || !contentType) {
  process.stderr.write('usage: ceiling-server.js <port> <body file> <content type>\n');
  process.exit(2);
}
const body = fs.readFileSync(bodyFile);
http
  .createServer((_req, res) => {
    res.writeHead(200, { 'content-type': contentType, 'content-length': body.length });
    res.end(body);
  })
  .listen(Number(port), '127.0.0.1');
