/** The tshark verdict of the real-peer tests: strict, except for the one checksum form Linux legitimately writes. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { foldSum, sumWords } from '../../../src/core/checksum.js';
import { encodeIpv4 } from '../../../src/layers/ip/ipv4-header.js';
import { PcapWriter } from '../../../src/layers/link/decorators/pcap-writer.js';
import { seq } from '../../../src/transport/tcp/wire/seq.js';
import { encodeTcpSegment, NO_TCP_OPTIONS, TcpFlags } from '../../../src/transport/tcp/wire/tcp-header.js';
import { isTcpChecksumFfffForZero, readPcapDatagrams, tsharkProblems } from '../../helpers/netns.js';

const SRC = 0x0a4d0001;
const DST = 0x0a4d0002;
const TCP_CHECKSUM = 16;

/** A datagram carrying a TCP segment with `payload`, its checksum as pilha computes it. */
function datagram(payload: Uint8Array, sequence = 1000, srcPort = 40000): Uint8Array {
  const tcp = encodeTcpSegment(
    {
      srcPort,
      dstPort: 40001,
      seq: seq(sequence),
      ack: seq(2000),
      flags: TcpFlags.ACK | TcpFlags.PSH,
      window: 502,
      urgentPointer: 0,
      options: NO_TCP_OPTIONS,
      payload,
    },
    SRC,
    DST,
  );
  return encodeIpv4({ id: 1, ttl: 64, protocol: 6, src: SRC, dst: DST }, tcp);
}

function checksumField(d: Uint8Array): number {
  return (d[20 + TCP_CHECKSUM]! << 8) | d[20 + TCP_CHECKSUM + 1]!;
}

function setChecksumField(d: Uint8Array, value: number): Uint8Array {
  const out = d.slice();
  out[20 + TCP_CHECKSUM] = value >>> 8;
  out[20 + TCP_CHECKSUM + 1] = value & 0xff;
  return out;
}

/**
 * A segment whose correct checksum is 0x0000: the first payload word, zero at first, takes the checksum of that
 * first try (adding x to a one's-complement sum whose complement is x makes the sum 0xFFFF).
 */
function zeroChecksumDatagram(): Uint8Array {
  const payload = Uint8Array.from([0, 0, ...Buffer.from('some bytes')]);
  const c = checksumField(datagram(payload));
  payload[0] = c >>> 8;
  payload[1] = c & 0xff;
  const d = datagram(payload);
  expect(checksumField(d)).toBe(0);
  return d;
}

describe('isTcpChecksumFfffForZero', () => {
  it('is true for 0xFFFF where the checksum computes to 0x0000 (the same one’s-complement zero)', () => {
    const d = setChecksumField(zeroChecksumDatagram(), 0xffff);
    expect(isTcpChecksumFfffForZero(d)).toBe(true);
    // RFC 1071 verification passes either way: the sum over the segment is zero in one's complement.
    expect(foldSum(sumWords(d, 20, d.length, sumWords(d, 12, 20) + 6 + d.length - 20))).toBe(0xffff);
  });

  it('is false for every other checksum, right or wrong', () => {
    const zero = zeroChecksumDatagram();
    expect(isTcpChecksumFfffForZero(zero)).toBe(false); // 0x0000 itself: right, and tshark agrees
    const other = datagram(Uint8Array.from(Buffer.from('hello')));
    expect(isTcpChecksumFfffForZero(other)).toBe(false); // right
    expect(isTcpChecksumFfffForZero(setChecksumField(other, 0xffff))).toBe(false); // 0xFFFF, should not be
    expect(isTcpChecksumFfffForZero(setChecksumField(other, checksumField(other) ^ 1))).toBe(false);
    expect(isTcpChecksumFfffForZero(setChecksumField(zero, 0xfffe))).toBe(false);
  });

  it('is false for what is not one whole IPv4 TCP segment', () => {
    const d = setChecksumField(zeroChecksumDatagram(), 0xffff);
    expect(isTcpChecksumFfffForZero(d.subarray(0, 30))).toBe(false); // truncated
    const udp = d.slice();
    udp[9] = 17;
    expect(isTcpChecksumFfffForZero(udp)).toBe(false);
    const fragment = d.slice();
    fragment[6] = 0x20; // more fragments: the checksum covers bytes not here
    expect(isTcpChecksumFfffForZero(fragment)).toBe(false);
    const v6 = d.slice();
    v6[0] = 0x65;
    expect(isTcpChecksumFfffForZero(v6)).toBe(false);
  });
});

const hasTshark = spawnSync('sh', ['-c', 'command -v tshark'], { stdio: 'ignore' }).status === 0;
if (!hasTshark) console.warn('SKIP tshark verdict on a capture: tshark is not installed');

describe.skipIf(!hasTshark)('tsharkProblems on a crafted capture', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pilha-tshark-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function capture(name: string, datagrams: readonly Uint8Array[]): string {
    const file = join(dir, name);
    const writer = new PcapWriter(file);
    for (const d of datagrams) writer.write(d);
    writer.close();
    expect(readPcapDatagrams(file)).toEqual(datagrams);
    return file;
  }

  it('passes 0xFFFF for a computed 0 (which tshark alone calls bad), and nothing else', () => {
    const ffff = setChecksumField(zeroChecksumDatagram(), 0xffff);
    // The premise: tshark flags it.
    const flagged = spawnSync(
      'tshark',
      [
        '-n',
        '-r',
        capture('premise.pcap', [ffff]),
        '-o',
        'tcp.check_checksum:TRUE',
        '-Y',
        'tcp.checksum.status == "Bad"',
      ],
      { encoding: 'utf8' },
    );
    expect(flagged.stdout.trim().split('\n').filter(Boolean)).toHaveLength(1);
    expect(tsharkProblems(capture('ffff.pcap', [zeroChecksumDatagram(), ffff]))).toEqual({
      count: 0,
      lines: '',
    });
  });

  it('still fails any other bad TCP checksum, in the same capture or alone', () => {
    const ffff = setChecksumField(zeroChecksumDatagram(), 0xffff);
    const good = datagram(Uint8Array.from(Buffer.from('hello')));
    const wrongFfff = setChecksumField(good, 0xffff);
    const wrong = setChecksumField(good, checksumField(good) ^ 0x0100);
    const mixed = tsharkProblems(capture('mixed.pcap', [good, ffff, wrongFfff, wrong]));
    expect(mixed.count).toBe(2);
    expect(mixed.lines.split('\n').map((l) => Number(l.trim().split(/\s+/)[0]))).toEqual([3, 4]);
    expect(tsharkProblems(capture('wrong.pcap', [wrong])).count).toBe(1);
    const badIp = ffff.slice();
    badIp[10]! ^= 0x55; // the IP header checksum is wrong too: no exemption for that frame
    expect(tsharkProblems(capture('bad-ip.pcap', [badIp])).count).toBe(1);
  });

  it('passes a byte-identical retransmission that tshark sees as out of order inside a complete HTTP body', () => {
    // An HTTP response in 1000-byte segments from port 7000, then the fourth again 50 µs after the last.
    const body = Buffer.alloc(10_000, 0x61);
    const response = Buffer.concat([
      Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`),
      body,
    ]);
    const segments: Uint8Array[] = [];
    for (let at = 0; at < response.length; at += 1000) {
      segments.push(datagram(response.subarray(at, at + 1000), 1000 + at, 7000));
    }
    const file = join(dir, 'out-of-order.pcap');
    const writer = new PcapWriter(file);
    segments.forEach((d, i) => {
      writer.write(d, 1_000 + i * 0.05);
    });
    writer.write(segments[3]!, 1_000 + segments.length * 0.05);
    writer.close();
    // The premise: with HTTP bodies reassembled (tshark's default), tshark calls that segment malformed.
    const premise = spawnSync(
      'tshark',
      ['-n', '-r', file, '-d', 'tcp.port==7000,http', '-Y', '_ws.malformed && tcp.analysis.out_of_order'],
      { encoding: 'utf8' },
    );
    expect(premise.stdout).toContain('New fragment overlaps old data');
    expect(tsharkProblems(file, ['tcp.port==7000,http'])).toEqual({ count: 0, lines: '' });
    // A corrupted copy is still caught, by its checksum.
    const corrupted = segments[3]!.slice();
    corrupted[100]! ^= 1;
    const bad = join(dir, 'out-of-order-corrupted.pcap');
    const badWriter = new PcapWriter(bad);
    segments.forEach((d, i) => {
      badWriter.write(d, 1_000 + i * 0.05);
    });
    badWriter.write(corrupted, 1_000 + segments.length * 0.05);
    badWriter.close();
    expect(tsharkProblems(bad, ['tcp.port==7000,http']).count).toBe(1);
  });
});
