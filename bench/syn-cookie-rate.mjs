#!/usr/bin/env node
// How many SYNs per second pilha's server stack answers once its SYN queue is full: every SYN is parsed
// (IPv4, TCP with options), answered with a SYN cookie SYN-ACK written into a fresh datagram, and handed to
// the link. The link is an in-memory one whose other end discards, so this is the stack's own cost, without
// a device; on a TUN device the write() per SYN-ACK costs more than all of this (see the README).
// Also the cost of one cookie alone (HalfSipHash-2-4 plus the encoding), made and checked.
//
// No network traffic at all: nothing leaves the process.
// usage (after `npm run build`): node bench/syn-cookie-rate.mjs [--syns 300000]

import { performance } from 'node:perf_hooks';
import { parseIpv4 } from '../dist/core/ipv4-address.js';
import { silentLoggers } from '../dist/core/logger.js';
import { VirtualClock } from '../dist/core/virtual-clock.js';
import { buildTcpStack } from '../dist/di/compositions.js';
import { encodeIpv4 } from '../dist/layers/ip/ipv4-header.js';
import { MemoryLink } from '../dist/layers/link/memory-link.js';
import { SynCookies } from '../dist/transport/tcp/listen/syn-cookie.js';
import { encodeTcpSegment } from '../dist/transport/tcp/wire/tcp-header.js';

const at = process.argv.indexOf('--syns');
const SYNS = at > 0 ? Number(process.argv[at + 1]) : 300_000;
const SERVER = parseIpv4('10.9.0.2');
const SPOOFED = parseIpv4('10.66.0.0');

const clock = new VirtualClock();
const [link, peer] = MemoryLink.pair(1500);
peer.onReceive(() => {});
const stack = await buildTcpStack(
  {
    link: { kind: 'provided' },
    mtu: 1500,
    address: SERVER,
    reassemblyTimeoutMs: 30_000,
    reassemblyMaxBytes: 4 * 1024 * 1024,
    log: { defaultLevel: 'silent', layers: {} },
  },
  { baseLink: link, clock, loggers: silentLoggers() },
);
stack.tcp.listen(80, { onAcceptable() {} });

// Distinct 4-tuples, half with Linux's SYN options (so half get window scale in TSval), half with an MSS only.
const datagrams = [];
for (let i = 0; i < SYNS; i++) {
  const src = (SPOOFED + (i & 0xffff)) >>> 0;
  const options =
    i & 1
      ? { mss: 536 }
      : { mss: 1460, windowScale: 7, sackPermitted: true, timestamp: { value: i, echo: 0 } };
  const syn = {
    srcPort: 1024 + (i >>> 16),
    dstPort: 80,
    seq: Math.imul(i, 2_654_435_761) >>> 0,
    ack: 0,
    flags: 0x02,
    window: 64_240,
    urgentPointer: 0,
    options,
    payload: new Uint8Array(0),
  };
  datagrams.push(
    encodeIpv4(
      { id: i & 0xffff, ttl: 64, protocol: 6, src, dst: SERVER },
      encodeTcpSegment(syn, src, SERVER),
    ),
  );
}

// The first 1,024 fill the SYN queue (a connection each); the rest are all cookies. Warm up, then measure.
const warm = Math.min(SYNS / 3, 50_000);
for (let i = 0; i < warm; i++) link.receive(datagrams[i]);
const start = performance.now();
for (let i = warm; i < SYNS; i++) link.receive(datagrams[i]);
const ms = performance.now() - start;
const stats = stack.tcp.stats();
const measured = SYNS - warm;
console.log(
  `server stack: ${measured} SYNs answered with cookies in ${ms.toFixed(0)} ms: ` +
    `${Math.round((measured / ms) * 1000)} SYNs/s (${((ms * 1000) / measured).toFixed(2)} µs each); ` +
    `syncookiesSent ${stats.syncookiesSent}, connections ${stats.connections}`,
);

const jar = new SynCookies(clock, 60_000);
const N = 1_000_000;
let sink = 0;
let t = performance.now();
for (let i = 0; i < N; i++) sink ^= jar.make(SERVER, 80, SPOOFED + (i & 0xff), 1024 + (i & 0x3fff), i, 1460);
const makeNs = ((performance.now() - t) * 1e6) / N;
const cookie = jar.make(SERVER, 80, SPOOFED, 1024, 7, 1460);
t = performance.now();
for (let i = 0; i < N; i++) sink ^= jar.check(SERVER, 80, SPOOFED, 1024, 7, (cookie + (i & 1)) >>> 0);
const checkNs = ((performance.now() - t) * 1e6) / N;
console.log(
  `one cookie: made in ${makeNs.toFixed(0)} ns, checked in ${checkNs.toFixed(0)} ns (half of them forged) [${sink & 1}]`,
);
await stack.close();
