// A wire with pilha's impairment between two kernels: it opens two TUN devices and forwards every IPv4
// datagram read from one to the other, through the same ImpairedLink (seeded loss, delay, ...) that
// `pilha --impair` puts under pilha's own stack. The loss section (loss.mjs) moves the two devices into a
// client and a server namespace, so that the kernel's TCP crosses exactly the impairment pilha's TCP crosses,
// at nearly the same round trip (one more TUN hop), and the two can be compared on loss recovery rather than
// on the length of their paths.
//
// Usage: node bench/impaired-relay.mjs DEVICE_A DEVICE_B IMPAIRMENT   (root; npm run build first)
// The impairment applies on DEVICE_A's side, both ways. Prints "relaying" when both devices read; on SIGINT or
// SIGTERM prints the ImpairedLink's counters as a `stats {...}` line (as pilha's CLI does) and exits.

import { parseIpv4 } from '../dist/core/ipv4-address.js';
import { SystemClock } from '../dist/core/system-clock.js';
import { ImpairedLink } from '../dist/layers/link/decorators/impaired-link.js';
import { parseImpairment } from '../dist/layers/link/decorators/impairment.js';
import { TunLink } from '../dist/layers/link/tun/tun-link.js';

const [nameA, nameB, spec] = process.argv.slice(2);
if (nameA === undefined || nameB === undefined || spec === undefined) {
  console.error('usage: node bench/impaired-relay.mjs DEVICE_A DEVICE_B IMPAIRMENT');
  process.exit(2);
}

// The addresses only configure the devices here; the namespaces they move to give them their real ones.
const open = (name, host) =>
  TunLink.open({ name, mtu: 1500, hostAddress: parseIpv4(host), prefixLength: 30 });
const a = await open(nameA, '10.255.255.1');
const b = await open(nameB, '10.255.255.5');
const impairedA = new ImpairedLink(a, parseImpairment(spec), new SystemClock());
impairedA.onReceive((datagram) => b.send(datagram));
b.onReceive((datagram) => impairedA.send(datagram));
console.log('relaying');

const stop = async () => {
  const stats = impairedA.stats();
  await impairedA.close();
  await b.close();
  console.log(`stats ${JSON.stringify(stats)}`);
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
