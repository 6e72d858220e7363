import { describe, expect, it } from 'vitest';
import {
  isConnectionRequest,
  isConnectionRequestOnLink,
} from '../../../src/layers/link/fd/connection-request.js';
import { TcpFlags } from '../../../src/transport/tcp/wire/tcp-header.js';
import { tcpDatagram } from './raw-link-datagrams.js';

/** The datagram placed at an offset inside a bigger buffer, as the reader's batch holds it. */
function inBatch(datagram: Uint8Array, at = 7): [Uint8Array, number, number] {
  const batch = new Uint8Array(at + datagram.length + 5).fill(0xff);
  batch.set(datagram, at);
  return [batch, at, datagram.length];
}

describe('isConnectionRequest (the fd reader backlog classifier)', () => {
  it('is true for a TCP SYN without ACK, at any offset of the batch', () => {
    expect(isConnectionRequest(...inBatch(tcpDatagram({ flags: TcpFlags.SYN })))).toBe(true);
    expect(isConnectionRequest(...inBatch(tcpDatagram({ flags: TcpFlags.SYN }), 0))).toBe(true);
  });

  it('is false for a SYN-ACK, a plain ACK, a RST and a FIN', () => {
    for (const flags of [
      TcpFlags.SYN | TcpFlags.ACK,
      TcpFlags.ACK,
      TcpFlags.RST,
      TcpFlags.FIN | TcpFlags.ACK,
    ]) {
      expect(isConnectionRequest(...inBatch(tcpDatagram({ flags })))).toBe(false);
    }
  });

  it('is false for other protocols, later fragments, and datagrams too short to hold the flags', () => {
    expect(isConnectionRequest(...inBatch(tcpDatagram({ flags: TcpFlags.SYN, protocol: 17 })))).toBe(false);
    const later = tcpDatagram({ flags: TcpFlags.SYN, fragmentOffset: 8 });
    expect(isConnectionRequest(...inBatch(later))).toBe(false);
    const syn = tcpDatagram({ flags: TcpFlags.SYN });
    expect(isConnectionRequest(syn, 0, 33)).toBe(false); // IP header + 13 bytes: the flags byte is cut off
    expect(isConnectionRequest(syn, 0, 19)).toBe(false);
    const v6 = syn.slice();
    v6[0] = 0x60;
    expect(isConnectionRequest(v6, 0, v6.length)).toBe(false);
  });
});

describe('isConnectionRequestOnLink (Ethernet frames)', () => {
  const frame = (datagram: Uint8Array, etherType: number): Uint8Array => {
    const f = new Uint8Array(14 + datagram.length);
    f[12] = etherType >>> 8;
    f[13] = etherType & 0xff;
    f.set(datagram, 14);
    return f;
  };
  it('looks past the 14-byte header of an IPv4 frame, and only of an IPv4 frame', () => {
    const syn = tcpDatagram({ flags: TcpFlags.SYN });
    const ack = tcpDatagram({ flags: TcpFlags.SYN | TcpFlags.ACK });
    expect(isConnectionRequestOnLink(frame(syn, 0x0800), 0, syn.length + 14, 14)).toBe(true);
    expect(isConnectionRequestOnLink(frame(ack, 0x0800), 0, ack.length + 14, 14)).toBe(false);
    expect(isConnectionRequestOnLink(frame(syn, 0x8100), 0, syn.length + 14, 14)).toBe(false);
    expect(isConnectionRequestOnLink(frame(syn, 0x0800), 0, 13, 14)).toBe(false);
    expect(isConnectionRequestOnLink(syn, 0, syn.length, 0)).toBe(true);
  });
});
