// HTTP over pilha's TCP, both ends in this process: a node:http server on one stack, node:http's client on
// the other, a MemoryLink between them that delivers each datagram on the next turn of the event loop.
// Run: node examples/http-over-memory.mjs
import http from 'node:http';
import { buildTcpStack, httpGet, MemoryLink, stackConfig } from 'pilha';

const [clientEnd, serverEnd] = MemoryLink.pair(1500, (run) => setImmediate(run));
const server = await buildTcpStack(stackConfig({ address: '10.9.0.2' }), { baseLink: serverEnd });
const client = await buildTcpStack(stackConfig({ address: '10.9.0.1' }), { baseLink: clientEnd });

// An ordinary node:http server; pilha's TcpServer hands it each accepted TcpSocket, as net.Server would.
const web = http.createServer((req, res) => {
  const body = `hello pombo, you asked for ${req.url} from ${req.socket.remoteAddress}\n`.repeat(1000);
  res.end(body);
});
await server.transport.createServer((socket) => web.emit('connection', socket)).listen(80);

// pilha's own client: node:http's client on a connection pilha opens.
const got = await httpGet(client.transport, 'http://10.9.0.2/pombo');
console.log(`GET http://10.9.0.2/pombo: ${got.status} ${got.statusText}, ${got.bytes} bytes, sha256 ${got.sha256}`);
console.log(`over the link: ${JSON.stringify(clientEnd.stats())}`);
const tcp = server.tcp.stats();
console.log(
  `server's TCP: ${tcp.passiveOpens} passive open, ${tcp.segmentsSent} segments sent, ` +
    `${tcp.retransmitted} retransmitted, ${tcp.bytesSent} bytes sent`,
);

await client.close();
await server.close();
