// The loss section's report (loss.mjs measures, this writes): Markdown tables of pilha against Linux CUBIC
// and BBR over veth, at the same round trip, and under duplication, reordering and 64 parallel flows.

import { EQUAL_RTT_BYTES, EQUAL_RTT_DELAY_MS, FLOW_BYTES, FLOWS, LOSS_RATES, pct } from './loss.mjs';

/** The loss section's Markdown tables and notes (empty when the section did not run). */
export function lossMarkdown(report) {
  const steps = report.steps.filter((s) => s.name.startsWith('loss '));
  if (steps.length === 0) return '';
  const find = (name) => steps.find((s) => s.name === name);
  const failed = (s) => (s === undefined ? '—' : `failed: ${s.error.slice(0, 60)}`);
  const cell = (s, fmt) => (s?.ok ? fmt(s) : failed(s));
  const counts = (s) => `${s.retransmitted} / ${s.fastRetransmits} / ${s.timeouts}`;
  const size =
    report.config.lossBytes % 2 ** 20 === 0
      ? `${report.config.lossBytes / 2 ** 20} MiB`
      : `${report.config.lossBytes} bytes`;
  const lines = [
    '| loss | pilha MB/s | pilha retransmits / fast retransmits / RTOs | Linux CUBIC MB/s | CUBIC retransmits / RTOs | pilha / CUBIC | Linux BBR MB/s | BBR retransmits / RTOs |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const kernelStep = (cc, p) =>
    find(`loss kernel ${cc} p=${pct(p)}`) ??
    (find('loss kernel server start')?.ok === false ? find('loss kernel server start') : undefined);
  const kernelCounts = (s) => `${s.retransmitted} / ${s.timeouts}`;
  for (const p of report.config.lossRates ?? LOSS_RATES) {
    const ps = find(`loss pilha p=${pct(p)}`);
    const cs = kernelStep('cubic', p);
    const bs = kernelStep('bbr', p);
    const r = ps?.ok && cs?.ok && cs.mbPerSecond > 0 ? ps.mbPerSecond / cs.mbPerSecond : undefined;
    const ratio = r === undefined ? '—' : r.toFixed(r < 0.1 ? 3 : 2);
    lines.push(
      `| ${pct(p)} | ${cell(ps, (s) => s.mbPerSecond)} | ${cell(ps, counts)} | ${cell(cs, (s) => s.mbPerSecond)} | ${cell(cs, kernelCounts)} | ${ratio} | ${cell(bs, (s) => s.mbPerSecond)} | ${cell(bs, kernelCounts)} |`,
    );
  }
  lines.push(
    '',
    `| loss, ${2 * EQUAL_RTT_DELAY_MS} ms round trip on both | pilha MB/s | pilha retransmits / fast retransmits / RTOs | Linux CUBIC MB/s | CUBIC retransmits / fast retransmits / RTOs | pilha / CUBIC |`,
    '|---|---:|---:|---:|---:|---:|',
  );
  for (const p of report.config.lossRates ?? LOSS_RATES) {
    const ps = find(`loss equal-rtt pilha p=${pct(p)}`);
    const ks = find(`loss equal-rtt kernel cubic p=${pct(p)}`);
    const r = ps?.ok && ks?.ok && ks.mbPerSecond > 0 ? ps.mbPerSecond / ks.mbPerSecond : undefined;
    lines.push(
      `| ${pct(p)} | ${cell(ps, (s) => s.mbPerSecond)} | ${cell(ps, counts)} | ${cell(ks, (s) => s.mbPerSecond)} | ${cell(ks, counts)} | ${r === undefined ? '—' : r.toFixed(2)} |`,
    );
  }
  const share = (s) =>
    `${s.retransmittedPercent}% (${s.retransmitted} of ${s.segmentsSent}; ${s.fastRetransmits} fast, ${s.timeouts} RTOs)`;
  const pf = find(`loss pilha ${FLOWS} flows`);
  const kf = find(`loss kernel ${FLOWS} flows`);
  const jain = (s) => `${s.jainIndex} (${s.minMbPerSecond}–${s.maxMbPerSecond} MB/s per flow)`;
  const other = [
    '',
    '| no loss | pilha | kernel | target |',
    '|---|---:|---:|---:|',
    `| 10% duplication: retransmitted / segments sent | ${cell(find('loss pilha duplicate=10%'), share)} | — | < 1% |`,
    `| 10% reordering: retransmitted / segments sent | ${cell(find('loss pilha reorder=10%'), share)} | — | < 1% |`,
    `| ${FLOWS} parallel wgets of ${FLOW_BYTES / 1e6} MB: drops at the TUN queue / in pilha's reader | ${cell(pf, (s) => `${s.tunTxDropped} / ${s.readerBacklogDrops}`)} | — | 0 |`,
    `| ${FLOWS} parallel wgets: Jain's index of per-flow throughput | ${cell(pf, jain)} | ${cell(kf, jain)} | ≥ 0.95 |`,
    `| ${FLOWS} parallel wgets: RTOs, failed or not byte-exact downloads | ${cell(pf, (s) => `${s.timeouts}, ${s.failed + s.notByteExact}`)} | ${cell(kf, (s) => `${s.timeouts}, ${s.failed + s.notByteExact}`)} | 0 |`,
  ];
  const total = find('loss section');
  const notes = [
    '',
    `Loss: a wget of ${size} per cell, the median of ${report.config.lossRepeat} run(s), every download checked byte-exact`,
    "(sha256); timed inside the namespace from wget's start to its end; MB = 10^6 bytes. pilha's loss is its own",
    "`--impair loss=p` (both directions, seeded); the kernel's is an nftables rule dropping TCP with probability p",
    "on each veth namespace's input hook (both directions), segmentation offloads off so one drop is one segment.",
    `pilha's counters are its \`tcp\` totals (one server per run), less a SIGUSR2 snapshot taken after ${report.config.lossWarmup ?? 0} untimed warm-up`,
    "download(s) through the same impairment (a fresh node process is not yet compiled); the kernel's are the server namespace's",
    'TcpRetransSegs and TcpExtTCPTimeouts around the run. Linux runs with SACK and RACK-TLP, its congestion control',
    "pinned on the route in both namespaces (ip route ... congctl): CUBIC, its default and the ratio's reference, and BBR",
    "(the development machine's default), which does not take random loss as congestion and so barely slows down.",
    `The kernel's ${FLOWS} flows run CUBIC.`,
    `The second table: a wget of ${EQUAL_RTT_BYTES / 2 ** 20} MiB per cell, both sides behind the same seeded impairment`,
    `(loss p and ${EQUAL_RTT_DELAY_MS} ms each way): pilha's own --impair, and for the kernel bench/impaired-relay.mjs, a node`,
    'process forwarding between two TUN devices through the same ImpairedLink (one more TUN hop than pilha).',
    `The ${FLOWS} wgets start together at a barrier (start spread: pilha ${pf?.startSpreadMs ?? '—'} ms, kernel ${kf?.startSpreadMs ?? '—'} ms)`,
    'and each flow is timed from its own start to its end. The 64 clients (a wget and a sha256sum each) share the',
    "machine's CPUs with the server, so on a small machine Jain's index also reflects CPU scheduling.",
    total === undefined ? '' : `The loss section took ${total.seconds} s.`,
  ];
  const failures = steps.filter((s) => !s.ok);
  if (failures.length > 0)
    notes.push('', 'Loss steps that failed:', ...failures.map((s) => `- ${s.name}: ${s.error}`));
  return `${lines.join('\n')}\n${other.join('\n')}\n${notes.join('\n')}\n`;
}
