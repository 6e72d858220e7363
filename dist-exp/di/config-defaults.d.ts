import { type Ipv4Address } from '../core/ipv4-address.js';
import { type LogSpec } from '../core/logger.js';
import { type StackConfig } from './stack-config.js';
/** What `stackConfig` needs: pilha's address; everything else has a default. */
export interface StackConfigOptions extends Partial<Omit<StackConfig, 'address' | 'log'>> {
    /** pilha's own address, as a number or in dotted form ('10.9.0.1'). */
    readonly address: Ipv4Address | string;
    /** A LogSpec or its text form ('warn', 'tcp=debug'); silent by default, as a library should be. */
    readonly log?: LogSpec | string;
}
/**
 * A whole StackConfig from an address and whatever differs from the defaults: a link supplied by the
 * caller (bind a MemoryLink end as `baseLink`), MTU 1500, 30 s reassembly timeout, 4 MiB reassembly cap,
 * no logging. The CLI builds its configs from its options instead; this is for programs and examples.
 */
export declare function stackConfig(options: StackConfigOptions): StackConfig;
