import type { Command } from 'commander';
/** `pilha plot FILE -o out.svg`: a `--trace` file as cwnd, ssthresh and bytes in flight over time. */
export declare function registerPlotCommand(program: Command): void;
