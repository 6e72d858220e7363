/**
 * ICMP errors quoting our TCP segments (RFC 5927), as TcpLayer receives them from ICMP: finds the connection
 * from the quoted headers and acts where RFC 1122 and Linux's tcp_v4_err do:
 * - port or protocol unreachable (and net or host unreachable) while our SYN is unanswered ends the
 *   connection (TcpLifecycle.icmpUnreachable);
 * - "fragmentation needed" (RFC 1191 path MTU discovery) quoting a segment still in flight (RFC 5927 §4.1:
 *   SND.UNA ≤ its sequence number < SND.MAX, which an off-path forger has to guess) lowers the path MTU in the
 *   IP layer and the MSS of every connection to that destination, which then send again what was too long;
 *   when the IP layer forgets it (it expired), their MSS goes back up (pathMtuRaised);
 * - everything else is a soft error, counted.
 */

import type { Ipv4Address } from '../../core/ipv4-address.js';
import type { IcmpErrorReport } from '../../layers/icmp/icmp-layer.js';
import { ICMP_DEST_UNREACHABLE, UNREACHABLE_FRAGMENTATION_NEEDED } from '../../layers/icmp/icmp-message.js';
import type { IPLayer } from '../../layers/ip/ip-layer.js';
import { quotedPayloadOffset, readIpv4Address } from '../../layers/ip/ipv4-header.js';
import { reportedPathMtu } from '../../layers/ip/path-mtu-cache.js';
import type { TcpConnection } from './connection/tcp-connection.js';
import type { TcpConnectionTable } from './tcp-connection-table.js';
import type { TcpLayerCounterName } from './tcp-layer-counters.js';
import { readSeq } from './wire/seq.js';
import { TCP_PROTOCOL } from './wire/tcp-header.js';

/** The layer's connection tables, by local port. */
export type TcpPortTables = ReadonlyMap<number, { readonly connections: TcpConnectionTable }>;

export class TcpIcmpErrors {
  constructor(
    private readonly address: Ipv4Address,
    private readonly ip: Partial<Pick<IPLayer, 'pathMtu' | 'lowerPathMtu'>>,
    private readonly ports: TcpPortTables,
    private readonly counters: Record<TcpLayerCounterName, number>,
  ) {}

  handle(report: IcmpErrorReport): void {
    const q = report.quoted;
    const ihl = quotedPayloadOffset(q, TCP_PROTOCOL);
    if (ihl < 0 || readIpv4Address(q, 12) !== this.address) return;
    const c = this.counters;
    c.icmpErrors++;
    const dst = readIpv4Address(q, 16);
    const localPort = (q[ihl]! << 8) | q[ihl + 1]!;
    const remotePort = (q[ihl + 2]! << 8) | q[ihl + 3]!;
    const quotedSeq = readSeq(q, ihl + 4);
    const connection = this.ports.get(localPort)?.connections.get(dst * 65536 + remotePort);
    if (connection === undefined || report.type !== ICMP_DEST_UNREACHABLE) return;
    if (report.code === UNREACHABLE_FRAGMENTATION_NEEDED) {
      if (!connection.quotesInFlight(quotedSeq)) {
        c.icmpOutOfWindow++;
        return;
      }
      // The quoted datagram's total length: what a router that reports no MTU refused (RFC 1191 §7).
      const quotedLength = (q[2]! << 8) | q[3]!;
      this.fragmentationNeeded(connection, dst, reportedPathMtu(report.rest & 0xffff, quotedLength));
      return;
    }
    if (connection.icmpUnreachable(quotedSeq, report.code)) {
      if (report.code <= 1) c.icmpConnectionsUnreachable++;
      else c.icmpConnectionsRefused++;
    }
  }

  /**
   * The path MTU to `dst` is `mtu` again (IPLayer.onPathMtuRaised: what a report taught expired, RFC 1191
   * §6.3): connections to it send full-sized segments again, as Linux's tcp_current_mss finds the route's MTU
   * back up at their next send.
   */
  pathMtuRaised(dst: Ipv4Address, mtu: number): void {
    this.setPathMtu(dst, mtu, undefined);
  }

  private fragmentationNeeded(connection: TcpConnection, dst: Ipv4Address, reported: number): void {
    const ip = this.ip;
    if (ip.lowerPathMtu === undefined || ip.pathMtu === undefined) return;
    const c = this.counters;
    c.icmpFragmentationNeeded++;
    const before = ip.pathMtu(dst);
    const pathMtu = ip.lowerPathMtu(dst, reported);
    if (connection.pathMtuChanged(pathMtu) < 0) c.pathMtuReductions++;
    if (pathMtu >= before) return;
    // The path is every connection's to that host: they lower their MSS now rather than each losing a flight
    // to learn it (Linux finds the route's new MTU at their next send). Only when the path MTU fell, which a
    // valid report does at most a few times per destination.
    this.setPathMtu(dst, pathMtu, connection);
  }

  /** Tells every connection to `dst` (but `except`) that the path MTU is `mtu`, counting the MSS that moved. */
  private setPathMtu(dst: Ipv4Address, mtu: number, except: TcpConnection | undefined): void {
    const c = this.counters;
    for (const entry of this.ports.values()) {
      for (const other of entry.connections.values()) {
        if (other === except || other.remoteAddress !== dst) continue;
        const change = other.pathMtuChanged(mtu);
        if (change < 0) c.pathMtuReductions++;
        else if (change > 0) c.pathMtuIncreases++;
      }
    }
  }
}
