import type { Command } from 'commander';
/** `pilha framed serve|send`: stage 1, length-prefixed messages over the kernel's TCP or pilha's. */
export declare function registerFramedCommand(program: Command): void;
