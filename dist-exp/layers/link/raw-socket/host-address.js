/**
 * What RawSocketLink asks of the host before it claims an address and port the host already has: is the
 * address one of this network namespace's own, what is its interface's MTU, and does a kernel socket already
 * listen on the port (then the kernel, not pilha, would own the connections).
 */
import { readFileSync } from 'node:fs';
import { endianness, networkInterfaces } from 'node:os';
import { formatIpv4 } from '../../../core/ipv4-address.js';
/** The interface of this network namespace that has `address`, or undefined when none has it. */
export function findLocalInterface(address, interfaces = networkInterfaces()) {
    const text = formatIpv4(address);
    for (const [name, addresses] of Object.entries(interfaces)) {
        if (addresses?.some((a) => a.family === 'IPv4' && a.address === text))
            return { name };
    }
    return undefined;
}
/** An interface's MTU from sysfs (loopback's is 65536), or undefined when it cannot be read. */
export function readInterfaceMtu(name) {
    try {
        const mtu = Number.parseInt(readFileSync(`/sys/class/net/${name}/mtu`, 'utf8').trim(), 10);
        return Number.isInteger(mtu) && mtu > 0 ? mtu : undefined;
    }
    catch {
        return undefined;
    }
}
const TCP_LISTEN = '0A';
/**
 * The listening sockets in a /proc/net/tcp (family 4) or /proc/net/tcp6 (family 6) table. Addresses there
 * are the kernel's in-memory words printed in hex, so on a little-endian host each 32-bit word reads
 * backwards; `littleEndian` says which.
 */
export function parseKernelListeners(table, family, littleEndian = endianness() === 'LE') {
    const out = [];
    for (const line of table.split('\n')) {
        const fields = line.trim().split(/\s+/);
        if (fields.length < 4 || fields[3] !== TCP_LISTEN)
            continue;
        const [addressHex, portHex] = (fields[1] ?? '').split(':');
        if (addressHex === undefined || portHex === undefined)
            continue;
        const port = Number.parseInt(portHex, 16);
        const words = [];
        for (let i = 0; i + 8 <= addressHex.length; i += 8) {
            const word = Number.parseInt(addressHex.slice(i, i + 8), 16) >>> 0;
            words.push(littleEndian ? swap32(word) : word);
        }
        if (family === 4 && words.length === 1) {
            out.push({ address: formatIpv4(words[0]), port, family });
        }
        else if (family === 6 && words.length === 4) {
            out.push({ address: formatIpv6Words(words), port, family });
        }
    }
    return out;
}
/**
 * The kernel listener that would take connections to `address:port` away from pilha: one on the address
 * itself or on 0.0.0.0, or an IPv6 one on '::' (dual-stack, as node's default) or on the IPv4-mapped address.
 */
export function conflictingListener(address, port, listeners) {
    const v4 = formatIpv4(address);
    const mapped = `::ffff:${v4}`;
    return listeners.find((l) => l.port === port &&
        (l.family === 4
            ? l.address === v4 || l.address === '0.0.0.0'
            : l.address === '::' || l.address === mapped));
}
/** The listening sockets of this network namespace (an unreadable table counts as empty). */
export function readKernelListeners() {
    const read = (path) => {
        try {
            return readFileSync(path, 'utf8');
        }
        catch {
            return '';
        }
    };
    return [
        ...parseKernelListeners(read('/proc/net/tcp'), 4),
        ...parseKernelListeners(read('/proc/net/tcp6'), 6),
    ];
}
function swap32(word) {
    return ((((word & 0xff) << 24) | ((word & 0xff00) << 8) | ((word >>> 8) & 0xff00) | ((word >>> 24) & 0xff)) >>> 0);
}
/** '::', '::ffff:a.b.c.d' or eight hex groups: enough to name a listener in a message. */
function formatIpv6Words(words) {
    if (words.every((w) => w === 0))
        return '::';
    if (words[0] === 0 && words[1] === 0 && words[2] === 0xffff)
        return `::ffff:${formatIpv4(words[3])}`;
    const groups = [];
    for (const w of words)
        groups.push((w >>> 16).toString(16), (w & 0xffff).toString(16));
    return groups.join(':');
}
//# sourceMappingURL=host-address.js.map