#!/usr/bin/env node
// Opens COUNT TCP connections to HOST:PORT (a few dozen at a time) and keeps them idle. Prints one JSON line
// {"open":N,"failed":M} once every attempt has finished; each "report" line on stdin prints
// {"stillOpen":N}. Ends (closing every connection) when stdin closes or on SIGTERM/SIGINT.
//
// Run by bench/run.mjs inside a namespace it created: refuses to run anywhere else.
//
// usage: node bench/idle-connections.mjs HOST PORT COUNT

import { execFileSync } from 'node:child_process';
import net from 'node:net';

const NS_PREFIX = 'pilha-bench-';
const CONCURRENCY = 50;
const CONNECT_TIMEOUT_MS = 10_000;

const [host, portText, countText] = process.argv.slice(2);
const port = Number(portText);
const count = Number(countText);
if (host === undefined || !Number.isInteger(port) || !Number.isInteger(count) || count < 1) {
  console.error('usage: node bench/idle-connections.mjs HOST PORT COUNT');
  process.exit(2);
}

let namespace = '';
try {
  namespace = execFileSync('ip', ['netns', 'identify', String(process.pid)], { encoding: 'utf8' }).trim();
} catch {}
if (!namespace.startsWith(NS_PREFIX)) {
  console.error(`idle-connections: refusing to run outside a ${NS_PREFIX}* namespace (in '${namespace}')`);
  process.exit(2);
}

const sockets = new Set();
let open = 0;
let failed = 0;
let launched = 0;

await new Promise((resolve) => {
  let inFlight = 0;
  const settle = () => {
    inFlight--;
    if (open + failed === count) resolve();
    else launch();
  };
  const launch = () => {
    while (inFlight < CONCURRENCY && launched < count) {
      launched++;
      inFlight++;
      const socket = net.connect({ host, port });
      let settled = false;
      const done = (ok) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (ok) {
          open++;
          sockets.add(socket);
        } else failed++;
        settle();
      };
      const timer = setTimeout(() => socket.destroy(new Error('connect timeout')), CONNECT_TIMEOUT_MS);
      socket.once('connect', () => done(true));
      socket.on('error', () => done(false));
      socket.once('close', () => {
        sockets.delete(socket);
        done(false);
      });
    }
  };
  launch();
});

process.stdout.write(`${JSON.stringify({ open, failed })}\n`);

const finish = () => {
  for (const socket of sockets) socket.destroy();
  process.exit(0);
};
process.on('SIGTERM', finish);
process.on('SIGINT', finish);
process.stdin.setEncoding('utf8');
process.stdin.on('data', (text) => {
  for (const line of text.split('\n')) {
    if (line.trim() === 'report') process.stdout.write(`${JSON.stringify({ stillOpen: sockets.size })}\n`);
  }
});
process.stdin.on('end', finish);
