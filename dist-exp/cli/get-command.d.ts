import type { Command } from 'commander';
/** `pilha get URL`: pilha as the client — node:http's client on a connection that pilha's TCP opens. */
export declare function registerGetCommand(program: Command): void;
