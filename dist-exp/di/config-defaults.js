import { parseIpv4 } from '../core/ipv4-address.js';
import { parseLogSpec } from '../core/logger.js';
import { DEFAULT_MTU, DEFAULT_REASSEMBLY_MAX_BYTES, DEFAULT_REASSEMBLY_TIMEOUT_MS, } from './stack-config.js';
/**
 * A whole StackConfig from an address and whatever differs from the defaults: a link supplied by the
 * caller (bind a MemoryLink end as `baseLink`), MTU 1500, 30 s reassembly timeout, 4 MiB reassembly cap,
 * no logging. The CLI builds its configs from its options instead; this is for programs and examples.
 */
export function stackConfig(options) {
    const { address, log, ...rest } = options;
    return {
        link: { kind: 'provided' },
        mtu: DEFAULT_MTU,
        reassemblyTimeoutMs: DEFAULT_REASSEMBLY_TIMEOUT_MS,
        reassemblyMaxBytes: DEFAULT_REASSEMBLY_MAX_BYTES,
        ...rest,
        address: typeof address === 'string' ? parseIpv4(address) : address,
        log: typeof log === 'string' ? parseLogSpec(log, 'silent') : (log ?? { defaultLevel: 'silent', layers: {} }),
    };
}
//# sourceMappingURL=config-defaults.js.map