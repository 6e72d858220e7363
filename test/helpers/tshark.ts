import { type ChildProcess, spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Resolves once tshark says the capture started (written to stderr): only then has dumpcap opened the
 * device. "Capturing on" comes before, and with a large buffer long before.
 */
export function tsharkCapturing(tshark: ChildProcess, timeoutMs = 15_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`tshark did not start: ${err}`)), timeoutMs);
    tshark.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('Capture started')) {
        clearTimeout(timer);
        resolve();
      }
    });
    tshark.once('close', (code) => reject(new Error(`tshark exited (${code}): ${err}`)));
  });
}

/** How long a capture file must stay the same size before its capture is stopped (stopCapture). */
const CAPTURE_SETTLE_MS = 500;
/** The longest stopCapture waits for the file to settle. */
const CAPTURE_SETTLE_LIMIT_MS = 5000;

/**
 * Stops a dumpcap or tshark capture writing `pcap` without losing its last packets. libpcap on Linux hands
 * packets over in blocks of its ring that the kernel retires when full or after a timeout (about 250 ms here):
 * a capture stopped by SIGINT right after the traffic kept none of a block not yet retired (one ping, stopped
 * at once: 0 packets in 6 of 6 tries; after 300 ms, 6 of 6). That is how path-mtu's capture on the TUN device
 * once held no ICMP report: the whole short download sat in one block. So: SIGINT once the file has not grown
 * for CAPTURE_SETTLE_MS (dumpcap writes each block as it gets it), then wait for the exit.
 */
export async function stopCapture(capture: ChildProcess, pcap: string): Promise<void> {
  const closed = new Promise((resolve) => {
    if (capture.exitCode !== null || capture.signalCode !== null) resolve(undefined);
    else capture.once('close', resolve);
  });
  const started = Date.now();
  let size = -1;
  let sameSince = started;
  while (Date.now() - started < CAPTURE_SETTLE_LIMIT_MS) {
    await sleep(100);
    const now = statSync(pcap, { throwIfNoEntry: false })?.size ?? 0;
    if (now !== size) {
      size = now;
      sameSince = Date.now();
    } else if (Date.now() - sameSince >= CAPTURE_SETTLE_MS) break;
  }
  capture.kill('SIGINT');
  await closed;
}

/**
 * Starts dumpcap (tshark's capture engine, which starts in a fraction of tshark's time) on `device` in `ns`,
 * writing classic pcap; resolves once it has opened the device and the file ("File: ..." on stderr), to a
 * function that stops it (stopCapture: once the file has settled, so that the last packets are kept).
 */
export async function startDumpcap(
  ns: { spawn(cmd: string, args: readonly string[]): ChildProcess },
  device: string,
  filter: string,
  pcap: string,
  snaplen?: number,
): Promise<() => Promise<void>> {
  const args = ['-i', device, '-B', '64', '-P', '-q', '-f', filter, '-w', pcap];
  if (snaplen !== undefined) args.push('-s', String(snaplen));
  const dumpcap = ns.spawn('dumpcap', args);
  await new Promise<void>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`dumpcap did not start: ${err}`)), 15_000);
    dumpcap.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      if (/^File: /m.test(err)) {
        clearTimeout(timer);
        resolve();
      }
    });
    dumpcap.once('close', (code) => reject(new Error(`dumpcap exited (${code}): ${err}`)));
  });
  return () => stopCapture(dumpcap, pcap);
}

/** The fields of the packets of a capture that match a display filter, TCP checksums verified (no output limit). */
export function tsharkFields(pcap: string, filter: string, fields: readonly string[]): string[][] {
  const args = ['-n', '-r', pcap, '-o', 'tcp.check_checksum:TRUE', '-Y', filter, '-T', 'fields'];
  for (const f of fields) args.push('-e', f);
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`tshark failed (${r.status}): ${r.error?.message ?? r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\t'));
}
