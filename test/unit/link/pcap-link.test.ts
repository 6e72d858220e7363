import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import koffi from 'koffi';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { internetChecksum } from '../../../src/core/checksum.js';
import { PilhaError } from '../../../src/core/errors.js';
import { parseIpv4 } from '../../../src/core/ipv4-address.js';
import { PcapLink } from '../../../src/layers/link/decorators/pcap-link.js';
import { LINKTYPE_IPV4, LINKTYPE_RAW, PcapWriter } from '../../../src/layers/link/decorators/pcap-writer.js';
import { MemoryLink } from '../../../src/layers/link/memory-link.js';
import { splitSuperSegment } from '../../../src/layers/link/offload/tcp-super-segment.js';
import { MSS, superSegment, WireRecorder } from './offload/super-segment-fixtures.js';

/** A valid IPv4 datagram carrying an ICMP echo request (type 8) or reply (type 0), checksums and all. */
function icmpEcho(
  src: string,
  dst: string,
  type: 0 | 8,
  id: number,
  seq: number,
  payloadBytes = 32,
): Uint8Array {
  const total = 20 + 8 + payloadBytes;
  const d = new Uint8Array(total);
  const v = new DataView(d.buffer);
  v.setUint8(0, 0x45); // version 4, IHL 5
  v.setUint8(1, 0); // DSCP/ECN
  v.setUint16(2, total);
  v.setUint16(4, 0x1000 + seq); // identification
  v.setUint16(6, 0x4000); // DF, offset 0
  v.setUint8(8, 64); // TTL
  v.setUint8(9, 1); // ICMP
  v.setUint32(12, parseIpv4(src));
  v.setUint32(16, parseIpv4(dst));
  v.setUint16(10, internetChecksum(d, 0, 20));
  v.setUint8(20, type);
  v.setUint8(21, 0);
  v.setUint16(24, id);
  v.setUint16(26, seq);
  for (let i = 0; i < payloadBytes; i++) d[28 + i] = 0x20 + (i % 64);
  v.setUint16(22, internetChecksum(d, 20, total));
  return d;
}

interface PcapRecord {
  readonly sec: number;
  readonly usec: number;
  readonly origLen: number;
  readonly data: Uint8Array;
}

/** Reads a little-endian classic pcap file: the global header fields and the records. */
function readPcap(bytes: Uint8Array) {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = {
    magic: v.getUint32(0, true),
    major: v.getUint16(4, true),
    minor: v.getUint16(6, true),
    thiszone: v.getInt32(8, true),
    sigfigs: v.getUint32(12, true),
    snaplen: v.getUint32(16, true),
    linkType: v.getUint32(20, true),
  };
  const records: PcapRecord[] = [];
  let o = 24;
  while (o < bytes.length) {
    expect(o + 16).toBeLessThanOrEqual(bytes.length);
    const incl = v.getUint32(o + 8, true);
    records.push({
      sec: v.getUint32(o, true),
      usec: v.getUint32(o + 4, true),
      origLen: v.getUint32(o + 12, true),
      data: bytes.slice(o + 16, o + 16 + incl),
    });
    o += 16 + incl;
  }
  expect(o).toBe(bytes.length);
  return { header, records };
}

/** A fake wall clock: each call returns the next timestamp (epoch milliseconds). */
function ticking(start: number, stepMs: number): () => number {
  let t = start - stepMs;
  return () => {
    t += stepMs;
    return t;
  };
}

const T0 = 1_700_000_000_000; // 2023-11-14T22:13:20Z

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pilha-pcap-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Pings through a PcapLink over a MemoryLink pair whose far end answers each request; returns what was sent. */
async function capturePings(path: string, linkType = LINKTYPE_RAW): Promise<Uint8Array[]> {
  // The constructor reads the clock once (for periodic flushing), so records start at T0 + 0.25.
  const writer = new PcapWriter(path, { now: ticking(T0, 0.25), linkType });
  const [a, b] = MemoryLink.pair();
  const link = new PcapLink(a, writer);
  const wire: Uint8Array[] = [];
  b.onReceive((req) => {
    const seq = new DataView(req.buffer, req.byteOffset).getUint16(26);
    const reply = icmpEcho('10.0.0.2', '10.0.0.1', 0, 0x77, seq);
    wire.push(reply);
    b.send(reply);
  });
  const replies: number[] = [];
  link.onReceive((d) => replies.push(d[20]!));
  for (let seq = 1; seq <= 2; seq++) {
    const req = icmpEcho('10.0.0.1', '10.0.0.2', 8, 0x77, seq);
    wire.push(req);
    link.send(req); // the far end answers inside this call, so `wire` is in capture order
  }
  expect(replies).toEqual([0, 0]);
  expect(link.stats()).toMatchObject({
    txPackets: 2,
    rxPackets: 2,
    captured: 4,
    captureErrors: 0,
    'inner.txPackets': 2,
    'inner.rxPackets': 2,
  });
  await link.close();
  expect(writer.closed).toBe(true);
  return wire;
}

describe('PcapWriter and PcapLink', () => {
  it('hand-made datagrams have valid checksums', () => {
    const d = icmpEcho('10.0.0.1', '10.0.0.2', 8, 1, 1);
    expect(internetChecksum(d, 0, 20)).toBe(0);
    expect(internetChecksum(d, 20, d.length)).toBe(0);
  });

  it('writes a classic pcap (LINKTYPE_RAW) of everything sent and received, byte for byte', async () => {
    const path = join(dir, 'ping.pcap');
    const wire = await capturePings(path);
    const bytes = new Uint8Array(readFileSync(path));
    // Global header: magic a1b2c3d4 (little-endian), 2.4, zone 0, sigfigs 0, snaplen 65535, linktype 101.
    expect(Array.from(bytes.subarray(0, 24))).toEqual([
      0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 101, 0, 0, 0,
    ]);
    const { header, records } = readPcap(bytes);
    expect(header).toEqual({
      magic: 0xa1b2c3d4,
      major: 2,
      minor: 4,
      thiszone: 0,
      sigfigs: 0,
      snaplen: 65535,
      linkType: LINKTYPE_RAW,
    });
    expect(records).toHaveLength(4);
    records.forEach((r, i) => {
      expect(r.sec).toBe(T0 / 1000);
      expect(r.usec).toBe(250 * (i + 1));
      expect(r.origLen).toBe(60);
      expect(r.data).toEqual(wire[i]);
    });
    // Request, reply, request, reply.
    expect(records.map((r) => r.data[20])).toEqual([8, 0, 8, 0]);
    expect(bytes.length).toBe(24 + 4 * (16 + 60));
  });

  it('tshark decodes the capture as IPv4 (skipped, with a reason, when tshark is missing)', async (ctx) => {
    const probe = spawnSync('tshark', ['--version'], { stdio: 'ignore' });
    if (probe.error !== undefined || probe.status !== 0) {
      console.log('skipping tshark check: tshark is not on PATH');
      ctx.skip();
      return;
    }
    for (const linkType of [LINKTYPE_RAW, LINKTYPE_IPV4]) {
      const path = join(dir, `ping-${linkType}.pcap`);
      await capturePings(path, linkType);
      const out = execFileSync('tshark', ['-r', path, '-T', 'fields', '-e', 'ip.src', '-e', 'ip.dst'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 30_000,
      });
      expect(out.trim().split('\n')).toEqual([
        '10.0.0.1\t10.0.0.2',
        '10.0.0.2\t10.0.0.1',
        '10.0.0.1\t10.0.0.2',
        '10.0.0.2\t10.0.0.1',
      ]);
      // And it agrees that the checksums are right and these are echo requests and replies.
      const detail = execFileSync(
        'tshark',
        [
          '-r',
          path,
          '-o',
          'ip.check_checksum:TRUE',
          '-T',
          'fields',
          '-e',
          'ip.checksum.status',
          '-e',
          'icmp.type',
          '-e',
          'icmp.checksum.status',
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 },
      );
      // Checksum status 1 is "Good".
      expect(detail.trim().split('\n')).toEqual(['1\t8\t1', '1\t0\t1', '1\t8\t1', '1\t0\t1']);
    }
  });

  it('gives microsecond timestamps and truncates to snaplen, keeping the original length', () => {
    const path = join(dir, 'snap.pcap');
    const writer = new PcapWriter(path, { now: () => T0, snaplen: 40 });
    const d = icmpEcho('10.0.0.1', '10.0.0.2', 8, 1, 1, 100);
    writer.write(d, T0 + 1234.25);
    writer.write(d.subarray(0, 30), T0 + 999.9999); // rounds up to the next second
    writer.close();
    const { header, records } = readPcap(new Uint8Array(readFileSync(path)));
    expect(header.snaplen).toBe(40);
    expect(records.map((r) => [r.sec, r.usec, r.origLen, r.data.length])).toEqual([
      [T0 / 1000 + 1, 234250, 128, 40],
      [T0 / 1000 + 1, 0, 30, 30],
    ]);
    expect(records[0]!.data).toEqual(d.subarray(0, 40));
    expect(writer.packets).toBe(2);
  });

  it('writes the same bytes whatever the buffer size (flushing as the buffer fills)', () => {
    const packets = Array.from({ length: 200 }, (_, i) => icmpEcho('10.0.0.1', '10.0.0.2', 8, 1, i, i * 7));
    const write = (name: string, bufferBytes?: number) => {
      const path = join(dir, name);
      const w = new PcapWriter(path, { now: ticking(T0, 1), bufferBytes });
      for (const p of packets) w.write(p);
      w.close();
      return readFileSync(path);
    };
    const big = write('big.pcap');
    expect(write('small.pcap', 100).equals(big)).toBe(true);
    expect(write('tiny.pcap', 24).equals(big)).toBe(true);
    expect(readPcap(new Uint8Array(big)).records).toHaveLength(200);
  });

  it('flushes periodically by record time, and on flush()', () => {
    const path = join(dir, 'periodic.pcap');
    let t = T0;
    const w = new PcapWriter(path, { now: () => t, flushIntervalMs: 1000 });
    const d = icmpEcho('10.0.0.1', '10.0.0.2', 8, 1, 1);
    expect(statSync(path).size).toBe(24); // the global header is written at once
    w.write(d);
    t += 999;
    w.write(d);
    expect(statSync(path).size).toBe(24);
    t += 1;
    w.write(d);
    expect(statSync(path).size).toBe(24 + 3 * 76);
    w.write(d);
    w.flush();
    expect(statSync(path).size).toBe(24 + 4 * 76);
    w.close();
    w.close(); // idempotent
  });

  it('rejects writes after close and a path it cannot create, with typed errors', () => {
    const w = new PcapWriter(join(dir, 'x.pcap'));
    w.close();
    expect(() => w.write(new Uint8Array(20))).toThrow(expect.objectContaining({ code: 'ECLOSED' }));
    expect(() => new PcapWriter(join(dir, 'no', 'such', 'dir.pcap'))).toThrow(PilhaError);
    expect(() => new PcapWriter(join(dir, 'y.pcap'), { snaplen: 0 })).toThrow(/snaplen/);
  });

  it('keeps the link working when the capture fails, counting the failure and saying it once', async () => {
    const writer = new PcapWriter(join(dir, 'broken.pcap'));
    const [a, b] = MemoryLink.pair();
    const warnings: string[] = [];
    const logger = pino({ level: 'warn', base: undefined }, { write: (line: string) => warnings.push(line) });
    const link = new PcapLink(a, writer, logger);
    writer.close(); // every write now throws
    const got: Uint8Array[] = [];
    b.onReceive((d) => got.push(d.slice()));
    link.send(icmpEcho('10.0.0.1', '10.0.0.2', 8, 1, 1));
    link.send(icmpEcho('10.0.0.1', '10.0.0.2', 8, 1, 2));
    expect(got).toHaveLength(2);
    expect(link.stats()).toMatchObject({ txPackets: 2, captured: 0, captureErrors: 1 });
    await link.close();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /writing the capture file '.*broken\.pcap' failed \(.*closed\): capture stopped/,
    );
  });

  it('a capture whose last records cannot be written at close (a full disk) is said, and the close does not fail', async () => {
    const writer = new PcapWriter(join(dir, 'full.pcap'));
    // The records written so far wait in the buffer; /dev/full takes its fd's place: the close's flush fails.
    const full = openSync('/dev/full', 'w');
    const fd = (writer as unknown as { fd: number }).fd;
    const dup2: (from: number, to: number) => number = koffi.load('libc.so.6').func('int dup2(int, int)');
    expect(dup2(full, fd)).toBe(fd);
    closeSync(full);
    const [a] = MemoryLink.pair();
    const warnings: string[] = [];
    const logger = pino({ level: 'warn', base: undefined }, { write: (line: string) => warnings.push(line) });
    const link = new PcapLink(a, writer, logger);
    link.send(icmpEcho('10.0.0.1', '10.0.0.2', 8, 1, 1));
    await link.close();
    expect(link.stats()).toMatchObject({ captured: 1, captureErrors: 1 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/writing the capture file '.*full\.pcap' failed \(ENOSPC/);
  });

  it('over a link with offload: hands the super-segment on whole and records its segments as on the wire', async (ctx) => {
    const path = join(dir, 'gso.pcap');
    const inner = new WireRecorder(true);
    const link = new PcapLink(inner, new PcapWriter(path, { linkType: LINKTYPE_RAW }));
    expect(link.segmentation?.maxDatagramBytes).toBe(65535);
    const d = superSegment(1, MSS * 10 + 5);
    link.segmentation!.sendSegmented(d, MSS);
    expect(inner.handed).toEqual([d]);
    expect(link.stats()).toMatchObject({ txPackets: 11, txBytes: d.length + 10 * 52, captured: 11 });
    await link.close();
    const { records } = readPcap(new Uint8Array(readFileSync(path)));
    expect(records.map((r) => r.data)).toEqual(splitSuperSegment(d, MSS));
    expect(
      new PcapLink(new WireRecorder(false), new PcapWriter(join(dir, 'x.pcap'))).segmentation,
    ).toBeUndefined();

    const probe = spawnSync('tshark', ['--version'], { stdio: 'ignore' });
    if (probe.error !== undefined || probe.status !== 0) {
      console.log('skipping tshark check: tshark is not on PATH');
      ctx.skip();
      return;
    }
    const status = execFileSync(
      'tshark',
      [
        '-r',
        path,
        '-o',
        'ip.check_checksum:TRUE',
        '-o',
        'tcp.check_checksum:TRUE',
        '-T',
        'fields',
        '-e',
        'ip.checksum.status',
        '-e',
        'tcp.checksum.status',
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 },
    );
    // Checksum status 1 is "Good", for every segment.
    expect(status.trim().split('\n')).toEqual(Array.from({ length: 11 }, () => '1\t1'));
  });
});
