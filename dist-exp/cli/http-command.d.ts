import type { Command } from 'commander';
/** `pilha http`: the stage-2 demo, node:http over pilha's TCP on a TUN device (or over the kernel's TCP). */
export declare function registerHttpCommand(program: Command): void;
