// node:http's own client over pilha's TCP: http.request with a `createConnection` that returns a pilha
// TcpSocket (a stream.Duplex shaped like net.Socket). The server is pilha's HttpApp on another stack, the
// two joined by a MemoryLink. Run: node examples/node-http-client.mjs
import http from 'node:http';
import { buildHttpStack, buildTcpStack, MemoryLink, stackConfig } from 'pilha';

const [clientEnd, serverEnd] = MemoryLink.pair(1500, (run) => setImmediate(run));
const server = await buildHttpStack(stackConfig({ address: '10.9.0.2' }), { transport: 'pilha' }, { baseLink: serverEnd });
const client = await buildTcpStack(stackConfig({ address: '10.9.0.1' }), { baseLink: clientEnd });
await server.app.listen(server.transport, 7000);

let socket;
const response = await new Promise((resolve, reject) => {
  const req = http.request({
    host: '10.9.0.2',
    port: 7000,
    path: '/bytes/100000',
    // No agent: node:http uses the socket this returns for the request, and closes it after the response.
    createConnection: (options) => {
      socket = client.transport.createConnection(options.port, options.host);
      return socket;
    },
  });
  req.on('response', resolve);
  req.on('error', reject);
  req.end();
});

let bytes = 0;
for await (const chunk of response) bytes += chunk.length;
console.log(`HTTP/${response.httpVersion} ${response.statusCode} ${response.statusMessage}`);
console.log(`content-type: ${response.headers['content-type']}, content-length: ${response.headers['content-length']}`);
console.log(`read ${bytes} body bytes through node:http over pilha's TCP`);
const stats = socket.stats();
console.log(`client socket: ${stats.state}, ${stats.segmentsReceived} segments received, srtt ${stats.srtt} ms`);

await server.close();
await client.close();
if (bytes !== 100_000) process.exit(1);
