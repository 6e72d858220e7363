import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { PilhaError } from '../core/errors.js';
import { checkDistinctFiles } from './files/distinct-files.js';
import { integerOption } from './number-options.js';

interface PlotValues {
  readonly output: string;
  readonly conn: string[];
  readonly maxPanels: string;
  readonly title?: string;
}

/** Panels drawn when --conn does not choose: beyond this a chart is a wall, not a picture. */
const DEFAULT_MAX_PANELS = 8;

/** `pilha plot FILE -o out.svg`: a `--trace` file as cwnd, ssthresh and bytes in flight over time. */
export function registerPlotCommand(program: Command): void {
  program
    .command('plot')
    .description(
      'draw a --trace file: cwnd, ssthresh and bytes in flight over time, loss events marked, one panel per connection (SVG)',
    )
    .argument('<trace>', 'a file written by --trace (JSON lines)')
    .requiredOption('-o, --output <file>', 'the SVG file to write')
    .option(
      '--conn <text>',
      'only connections whose name ("10.77.0.2:7000>10.77.0.1:45678") contains this; repeatable',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option(
      '--max-panels <n>',
      'draw at most this many connections (the busiest)',
      String(DEFAULT_MAX_PANELS),
    )
    .option('--title <text>', 'chart title (default: the trace file name)')
    .action(async (tracePath: string, values: PlotValues) => {
      const maxPanels = integerOption(values.maxPanels, '--max-panels', 1, 1000);
      checkDistinctFiles([
        ['the trace', tracePath],
        ['-o', values.output],
      ]);
      // Loaded once the options are checked.
      const [{ readTraceFile }, { renderTracePlot }] = await Promise.all([
        import('../app/trace-plot/trace-reader.js'),
        import('../app/trace-plot/trace-plot.js'),
      ]);
      const trace = await readTraceFile(tracePath);
      if (trace.records === 0) {
        throw new PilhaError('EBADOPTION', `no trace records in '${tracePath}' (is it a --trace file?)`);
      }
      let chosen = trace.connections;
      if (values.conn.length > 0) {
        chosen = chosen.filter((c) => values.conn.some((text) => c.conn.includes(text)));
        if (chosen.length === 0) {
          const names = trace.connections.map((c) => c.conn).slice(0, 5);
          throw new PilhaError(
            'EBADOPTION',
            `no connection in '${tracePath}' matches --conn ${values.conn.join(', ')} (it has ${names.join(', ')}${trace.connections.length > 5 ? ', ...' : ''})`,
          );
        }
      }
      if (chosen.length > maxPanels) {
        // The busiest (most records), shown in the order they began.
        const busiest = new Set([...chosen].sort((a, b) => b.t.length - a.t.length).slice(0, maxPanels));
        process.stderr.write(
          `pilha plot: ${chosen.length} connections; drawing the ${maxPanels} busiest (choose with --conn, or raise --max-panels)\n`,
        );
        chosen = chosen.filter((c) => busiest.has(c));
      }
      const svg = await renderTracePlot(chosen, { title: values.title ?? tracePath });
      try {
        writeFileSync(values.output, svg);
      } catch (err) {
        throw new PilhaError('EBADOPTION', `cannot write '${values.output}': ${(err as Error).message}`);
      }
      const skipped = trace.skippedLines > 0 ? `, ${trace.skippedLines} unreadable lines skipped` : '';
      process.stdout.write(
        `pilha plot: ${values.output}: ${chosen.length} connection(s), ${trace.records} records${skipped}, ${(svg.length / 1024).toFixed(0)} KiB\n`,
      );
    });
}
