/** What the TCP layer (tcp-layer.ts) needs of the network layer, and the options of its API calls. */

import type { IPLayer } from '../../layers/ip/ip-layer.js';
import type { TcpConnectionHandler } from './connection/tcp-connection-types.js';

/** What the TCP layer needs of the network layer. */
export type TcpIp = Pick<
  IPLayer,
  | 'address'
  | 'mtu'
  | 'unicastProblem'
  | 'registerProtocol'
  | 'allocateDatagram'
  | 'sendDatagram'
  | 'onBatchEnd'
> &
  Partial<Pick<IPLayer, 'pathMtu' | 'lowerPathMtu' | 'onPathMtuRaised' | 'receiveBacklog'>>;

export interface ListenOptions {
  /** Accept queue length (default: config.backlog). */
  readonly backlog?: number;
  /** Called from the packet path when a connection is waiting in the accept queue. */
  readonly onAcceptable: () => void;
}

export interface ConnectOptions {
  /** A fixed local port; an ephemeral one otherwise. */
  readonly localPort?: number;
  /** Attached before the SYN goes out, so no event can be missed. */
  readonly handler?: TcpConnectionHandler;
}
