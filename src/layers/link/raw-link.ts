/** Moves whole IPv4 datagrams between pilha and a network; the bottom of the stack. */
export interface RawLink {
  /** Largest datagram the link carries, in bytes. */
  readonly mtu: number;
  /**
   * Sends one datagram. Never blocks and never throws for a full device: the datagram is dropped and counted.
   * The link may not keep a reference to `datagram` after returning unless it copies it.
   */
  send(datagram: Uint8Array): void;
  /** Sets the one handler that receives datagrams; the view is valid only during the call. */
  onReceive(handler: (datagram: Uint8Array) => void): void;
  /** Link-level counters (packets and bytes each way, drops by reason). */
  stats(): Record<string, number>;
  close(): Promise<void>;
}

/** A handler that drops everything: what a link delivers to before the layer above registers. */
export function ignoreDatagram(_datagram: Uint8Array): void {}

/** A decorator's stats: its own counters unprefixed, then the wrapped link's under `inner.`. */
export function decoratorStats(own: Record<string, number>, inner: RawLink): Record<string, number> {
  const out: Record<string, number> = { ...own };
  const innerStats = inner.stats();
  for (const k of Object.keys(innerStats)) out[`inner.${k}`] = innerStats[k]!;
  return out;
}
