// IPv4 fragmentation and reassembly, shown with large pings between two stacks on a VirtualClock: each
// 20,000-byte echo request leaves in 14 fragments, the other stack reassembles it and answers in 14 more.
// Time is virtual, so this takes milliseconds. Run: node examples/ping-reassembly.mjs
import { buildPingStack, formatIpv4, formatPingReply, MemoryLink, parseIpv4, stackConfig, VirtualClock } from 'pilha';

const clock = new VirtualClock();
// Deliver on the clock (zero delay), so that no reply is processed inside the request's send() call.
const [a, b] = MemoryLink.pair(1500, (run) => clock.setTimer(0, run));
const left = await buildPingStack(stackConfig({ address: '10.9.0.1' }), { baseLink: a, clock });
const right = await buildPingStack(stackConfig({ address: '10.9.0.2' }), { baseLink: b, clock });

// Every datagram either stack puts back together, as the IP layer announces it.
for (const [name, stack] of [['left', left], ['right', right]]) {
  stack.ip.onReassembled((info) => {
    console.log(
      `${name} reassembled id=0x${info.id.toString(16)} ${formatIpv4(info.src)} > ${formatIpv4(info.dst)}: ` +
        `${info.fragments} fragments, ${info.totalLength} bytes, arrival order [${info.arrivalOrder.join(',')}]`,
    );
  });
}

const target = parseIpv4('10.9.0.2');
const done = left.pinger.run({ target, size: 20_000, count: 3, intervalMs: 1000, waitMs: 1000 }, (reply) =>
  console.log(formatPingReply(target, reply)),
);
clock.runAll();
const summary = await done;
console.log(`${summary.transmitted} sent, ${summary.received} received, ${summary.lossPercent}% loss`);
const stats = right.ip.stats();
console.log(`right's IP layer: ${stats.reassembled} reassembled, ${stats.txFragments} fragments sent`);

await left.close();
await right.close();
if (summary.received !== 3) process.exit(1);
