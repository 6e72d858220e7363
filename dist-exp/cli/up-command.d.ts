import type { Command } from 'commander';
/** `pilha up`: the stack on a TUN device, answering pings until interrupted. */
export declare function registerUpCommand(program: Command): void;
