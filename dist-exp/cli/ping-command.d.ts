import type { Command } from 'commander';
/** `pilha ping ADDRESS`: the stage-3 demo, large echo requests from pilha's own IP layer. */
export declare function registerPingCommand(program: Command): void;
