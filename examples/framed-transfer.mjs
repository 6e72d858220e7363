// Stage 1 in one process: pilha's FramedEchoApp and FramedClient on two complete pilha stacks (IPv4 and TCP
// of their own) joined by an in-memory link. Needs no root and no TUN device: `node examples/framed-transfer.mjs`.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  buildFramedStack,
  buildTcpStack,
  bytesSource,
  FramedClient,
  fileSource,
  MemoryLink,
  stackConfig,
} from 'pilha';

// pilha's timers are unref'd (an idle stack never holds a process open) and a MemoryLink holds no handle
// either: keep the process alive while the transfer runs.
const keepAlive = setInterval(() => {}, 1000);
// Datagrams cross the link on the next turn of the event loop, never inside the sender's call.
const [clientLink, serverLink] = MemoryLink.pair(1500, (run) => setImmediate(run));
const server = await buildFramedStack(
  stackConfig({ address: '10.9.0.2' }),
  { transport: 'pilha', app: { onMessage: (m) => console.log(`server: confirmed ${m.bytes} bytes`) } },
  { baseLink: serverLink },
);
await server.app.listen(server.transport, 7000);
const client = await buildTcpStack(stackConfig({ address: '10.9.0.1' }), { baseLink: clientLink });

const sender = new FramedClient(client.transport);
const input = new URL('./input.txt', import.meta.url).pathname;
const first = await sender.send('10.9.0.2', 7000, await fileSource(input));
const expected = createHash('sha256').update(readFileSync(input)).digest('hex');
console.log(`client: input.txt, ${first.bytes} bytes confirmed, sha256 ${first.sha256}`);

const big = Buffer.alloc(3 * 1024 * 1024, 0x61);
const second = await sender.send('10.9.0.2', 7000, bytesSource(big, '3 MiB of a', 1024 * 1024));
console.log(`client: ${second.bytes} bytes in ${second.messages} messages, ${second.durationMs.toFixed(0)} ms`);
console.log('server totals:', server.app.totals());

await server.close();
await client.close();
clearInterval(keepAlive);
if (first.sha256 !== expected || second.bytes !== big.length) process.exit(1);
