import { ContainerModule } from 'inversify';
import { Ipv4Layer } from '../layers/ip/ipv4-layer.js';
import { TOKENS } from './tokens.js';
/** The network layer: IPv4 with its reassembler, over whatever RawLink is bound. */
export const ipModule = new ContainerModule(({ bind }) => {
    bind(TOKENS.Ipv4LayerConfig).toDynamicValue((ctx) => {
        const config = ctx.get(TOKENS.StackConfig);
        // The TUN's prefix is the subnet both ends share (the CLI checks pilha's address is on it); a raw socket
        // shares the host's address and needs none.
        const prefixLength = config.link.kind === 'raw' ? undefined : config.link.prefixLength;
        return {
            address: config.address,
            ...(prefixLength !== undefined ? { prefixLength } : {}),
            // A raw socket shares the host's address: its peers are local programs, from 127/8 or that address.
            loopback: config.link.kind === 'raw',
            reassembly: { timeoutMs: config.reassemblyTimeoutMs, maxBytes: config.reassemblyMaxBytes },
        };
    });
    bind(TOKENS.IPLayer)
        .toResolvedValue((link, clock, log, config) => new Ipv4Layer(link, clock, log, config), [TOKENS.RawLink, TOKENS.Clock, TOKENS.IpLogger, TOKENS.Ipv4LayerConfig])
        .inSingletonScope();
});
//# sourceMappingURL=ip-module.js.map