#!/usr/bin/env node
// Reassembly cost of tiny fragments: one datagram cut into N eight-byte fragments (the last one shorter),
// fed to the Reassembler in a seeded random order and in order, on a VirtualClock. Prints the median of a few
// runs in ms for each case. No network at all: it drives the compiled Reassembler (run `npm run build` first).
//
// usage: node bench/reassembly.mjs [--fragments 8000] [--runs 5] [--json]

import { performance } from 'node:perf_hooks';
import { VirtualClock } from '../dist/core/virtual-clock.js';
import { encodeIpv4, parseIpv4 } from '../dist/layers/ip/ipv4-header.js';
import { Reassembler } from '../dist/layers/ip/reassembler.js';

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a positive whole number`);
    process.exit(2);
  }
  return n;
}

const FRAGMENTS = option('fragments', 8000);
const RUNS = option('runs', 5);
const PIECE = 8;
// The largest payload IPv4 carries (65,535 - 20) bounds the count: 8,189 fragments of 8 bytes.
const MAX_FRAGMENTS = Math.floor((65_535 - 20) / PIECE);
if (FRAGMENTS > MAX_FRAGMENTS) {
  console.error(`--fragments must be at most ${MAX_FRAGMENTS} (a datagram is at most 65,535 bytes)`);
  process.exit(2);
}

/** The fragments of one datagram as parsed datagrams (parsing is not part of what is timed). */
function tinyFragments(count) {
  const payloadLength = count * PIECE - 3;
  const payload = new Uint8Array(payloadLength);
  for (let i = 0; i < payloadLength; i++) payload[i] = (i * 31 + 7) & 0xff;
  const out = [];
  for (let at = 0; at < payloadLength; at += PIECE) {
    const end = Math.min(at + PIECE, payloadLength);
    const bytes = encodeIpv4(
      {
        id: 4242,
        ttl: 64,
        protocol: 17,
        src: 0x0a000001,
        dst: 0x0a000002,
        moreFragments: end < payloadLength,
        fragmentOffset: at,
      },
      payload.subarray(at, end),
    );
    const parsed = parseIpv4(bytes);
    if (typeof parsed === 'string') throw new Error(parsed);
    out.push(parsed);
  }
  return { payload, fragments: out };
}

function shuffled(list, seed) {
  const out = list.slice();
  let x = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function once(order, payload) {
  const clock = new VirtualClock();
  const r = new Reassembler(clock, { dropped() {}, timedOut() {} });
  const start = performance.now();
  let done;
  for (const f of order) done = r.add(f) ?? done;
  const ms = performance.now() - start;
  if (done === undefined || done.datagram.payload.length !== payload.length)
    throw new Error('not reassembled');
  for (let i = 0; i < payload.length; i++) {
    if (done.datagram.payload[i] !== payload[i]) throw new Error(`byte ${i} differs`);
  }
  return ms;
}

function median(values) {
  const s = values.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const { payload, fragments } = tinyFragments(FRAGMENTS);
const results = {};
for (const [name, orderOf] of [
  ['random order', (run) => shuffled(fragments, 1 + run)],
  ['in order', () => fragments],
  ['reverse order', () => fragments.slice().reverse()],
]) {
  once(orderOf(99), payload); // Warm-up (JIT).
  const times = [];
  for (let run = 0; run < RUNS; run++) times.push(once(orderOf(run), payload));
  results[name] = Number(median(times).toFixed(2));
}
if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ fragments: FRAGMENTS, runs: RUNS, medianMs: results }));
} else {
  for (const [name, ms] of Object.entries(results)) {
    console.log(`${FRAGMENTS} fragments of ${PIECE} bytes, ${name}: ${ms} ms (median of ${RUNS})`);
  }
}
