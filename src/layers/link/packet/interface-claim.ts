import { createServer, type Server } from 'node:net';
import { PilhaError } from '../../../core/errors.js';

/**
 * One pilha per interface on a packet link. Two would both answer every frame for their address (two
 * SYN-ACKs, then resets: every connection broken), and nothing in AF_PACKET refuses the second, as a TAP
 * device refuses its second opener. The claim is an abstract Unix socket named after the interface's index: the
 * kernel allows one name once per network namespace, and drops it when the process ends however it ends
 * (SIGKILL included), so a claim is never left behind.
 */
export class InterfaceClaim {
  private constructor(private readonly server: Server) {}

  /**
   * Claims interface `name` in this network namespace, or throws if a pilha holds it. Keyed by its index, which
   * a rename keeps and a new interface of the same name does not reuse.
   */
  static take(name: string, ifindex: number): Promise<InterfaceClaim> {
    const server = createServer((socket) => socket.destroy());
    return new Promise((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        reject(
          err.code === 'EADDRINUSE'
            ? new PilhaError('ERAWLINK', `another pilha is running on ${name} (a packet link on it is open)`)
            : new PilhaError('ERAWLINK', `cannot claim ${name}: ${err.message}`),
        );
      });
      server.listen({ path: `\0pilha-packet-link-${ifindex}` }, () => {
        // It must not keep the process alive.
        server.unref();
        resolve(new InterfaceClaim(server));
      });
    });
  }

  release(): void {
    this.server.close();
  }
}
