/**
 * A safety net for the hard network rule: inside the test process, a kernel socket may connect only to
 * loopback (real peers run in namespaces, as separate processes). Anything else fails the test at once
 * instead of leaving the machine. (A node:http request without a pilha socket, say, falls back to node:net.)
 */
import net from 'node:net';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost|::ffff:127\.\d+\.\d+\.\d+)$/;

/**
 * The host a Socket.connect() call targets, or undefined for a Unix socket. Accepts every form: (options),
 * (port, host), (path), and net.connect's normalized form, an array whose first element is the options.
 */
export function connectTarget(args: readonly unknown[]): string | undefined {
  const [first, second] = args;
  if (Array.isArray(first)) return connectTarget(first);
  if (typeof first === 'object' && first !== null) {
    const options = first as { host?: unknown; path?: unknown };
    if (typeof options.path === 'string') return undefined;
    return typeof options.host === 'string' ? options.host : 'localhost';
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return undefined;
  return typeof second === 'string' ? second : 'localhost';
}

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

const original = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
  const host = connectTarget(args);
  if (host !== undefined && !isLoopback(host)) {
    throw new Error(`network guard: tests may open kernel connections only to loopback, not to ${host}`);
  }
  return original.apply(this, args as never);
} as typeof original;
