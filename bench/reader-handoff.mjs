// Hand-off latency from a worker thread to an idle main thread, three ways: a message per datagram (the old
// reader's message per batch), a shared ring with a message only when the main thread sleeps (what FdReader
// does), and the ring with Atomics.waitAsync instead of the message. The worker publishes one datagram at a
// time, ~50 µs apart, once the previous was taken (a sender waiting for ACKs). Usage: node bench/reader-handoff.mjs
// Measured on the shared 2-core machine (3 runs each, noisy): p50 4-42 µs for all three, the same within a run;
// p99 16-946 µs, no consistent winner: the wake-up of an idle event loop dominates, whatever wakes it.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const N = 3000;
if (isMainThread) {
  for (const mode of ['message', 'ring-message', 'waitAsync']) {
    const control = new Int32Array(new SharedArrayBuffer(16));
    const stamps = new Float64Array(new SharedArrayBuffer(8 * N));
    const w = new Worker(new URL(import.meta.url), {
      workerData: { mode, control: control.buffer, stamps: stamps.buffer },
    });
    const lat = [];
    let consumed = 0;
    await new Promise((resolve) => {
      const take = () => {
        const now = performance.timeOrigin + performance.now();
        const published = Atomics.load(control, 0);
        while (consumed < published) {
          lat.push(now - stamps[consumed]);
          consumed++;
        }
        Atomics.store(control, 2, consumed);
        if (consumed >= N) resolve();
      };
      if (mode === 'waitAsync') {
        const loop = () => {
          const seen = Atomics.load(control, 0);
          if (seen !== consumed) {
            take();
            if (consumed >= N) return;
          }
          Atomics.store(control, 1, 1);
          if (Atomics.load(control, 0) !== consumed) {
            Atomics.store(control, 1, 0);
            queueMicrotask(loop);
            return;
          }
          const r = Atomics.waitAsync(control, 1, 1);
          if (r.async) r.value.then(loop);
          else loop();
        };
        loop();
      } else {
        Atomics.store(control, 1, 1);
        w.on('message', () => {
          take();
          Atomics.store(control, 1, 1);
          if (Atomics.load(control, 0) !== consumed) take();
        });
      }
    });
    await w.terminate();
    lat.sort((a, b) => a - b);
    const q = (p) => (lat[Math.floor(p * (lat.length - 1))] * 1000).toFixed(0);
    console.log(
      `${mode.padEnd(13)} µs from publish to delivery: p50 ${q(0.5)}  p90 ${q(0.9)}  p99 ${q(0.99)}`,
    );
  }
} else {
  const { mode } = workerData;
  const control = new Int32Array(workerData.control);
  const stamps = new Float64Array(workerData.stamps);
  for (let i = 0; i < N; i++) {
    // One datagram at a time, after the last was taken, ~50 µs apart (a sender waiting for ACKs).
    while (Atomics.load(control, 2) < i) {}
    const until = performance.now() + 0.05;
    while (performance.now() < until) {}
    stamps[i] = performance.timeOrigin + performance.now();
    Atomics.store(control, 0, i + 1);
    if (mode === 'message') parentPort.postMessage(0);
    else if (Atomics.compareExchange(control, 1, 1, 0) === 1) {
      if (mode === 'ring-message') parentPort.postMessage(0);
      else Atomics.notify(control, 1);
    }
  }
}
