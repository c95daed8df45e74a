// The end-of-run table for multi-host runs: counts, then each non-ok host with its reason,
// then per-host durations (all of them for small runs; slowest few for big ones).

import type { HostOutcome } from '../runner/plan.ts';
import { formatError } from './format-error.ts';
import type { Style } from './style.ts';

const LIST_ALL_UP_TO = 20;

export function summaryLines(outcomes: readonly HostOutcome[], totalMs: number, style: Style): string[] {
  const count = (s: HostOutcome['status']): number => outcomes.filter((o) => o.status === s).length;
  const parts = [
    style.green(`${count('ok')} ok`),
    count('failed') > 0 ? style.red(`${count('failed')} failed`) : `0 failed`,
    count('unreachable') > 0 ? style.red(`${count('unreachable')} unreachable`) : `0 unreachable`,
    ...(count('skipped') > 0 ? [style.yellow(`${count('skipped')} skipped`)] : []),
  ];
  const lines = [style.bold(`Summary: ${parts.join(', ')} in ${seconds(totalMs)}`)];
  const width = Math.max(...outcomes.map((o) => (o.host ?? 'localhost').length), 4);
  const row = (o: HostOutcome, why = ''): string => {
    const status = o.status.padEnd(11);
    const tinted = o.status === 'ok' ? style.green(status) : o.status === 'skipped' ? style.yellow(status) : style.red(status);
    return `  ${tinted} ${`${o.task}`.padEnd(12)} ${(o.host ?? 'localhost').padEnd(width)} ${seconds(o.durationMs).padStart(7)}${why ? `  ${why}` : ''}`;
  };
  const notOk = outcomes.filter((o) => o.status !== 'ok');
  const ok = outcomes.filter((o) => o.status === 'ok');
  for (const o of notOk) lines.push(row(o, o.error !== undefined ? formatError(o.error).headline.replace(/^\[[^\]]*\] /, '') : (o.reason ?? '')));
  if (outcomes.length <= LIST_ALL_UP_TO) {
    for (const o of ok) lines.push(row(o));
  } else if (ok.length > 0) {
    const sorted = [...ok].sort((a, b) => a.durationMs - b.durationMs);
    const median = sorted[Math.floor(sorted.length / 2)] as HostOutcome;
    lines.push(`  ok durations: min ${seconds((sorted[0] as HostOutcome).durationMs)}, median ${seconds(median.durationMs)}, max ${seconds((sorted[sorted.length - 1] as HostOutcome).durationMs)}; slowest:`);
    for (const o of sorted.slice(-3).reverse()) lines.push(row(o));
  }
  return lines;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)}s`;
}
