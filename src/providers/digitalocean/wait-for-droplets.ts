// After POST /v2/droplets answers 202 the droplets are only "new": wait until each is active
// and has a public address, which is when hitc can start connecting. One list call per round
// (filtered by hitc's tag) rather than one call per droplet keeps a big create far from the
// API's 250-calls-a-minute limit.

import { setTimeout as sleep } from 'node:timers/promises';
import { ProviderError } from '../types.ts';
import type { DigitalOceanApi } from './api-client.ts';
import { PROVIDER } from './api-client.ts';
import type { DoDroplet } from './api-types.ts';
import { publicIpv4 } from './droplet-node.ts';

/** Every droplet hitc creates carries this tag (also handy in the control panel). */
export const HITC_TAG = 'hitc';

export interface WaitOptions {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly progress: (message: string) => void;
  readonly signal: AbortSignal;
}

const ready = (d: DoDroplet | undefined): d is DoDroplet => d !== undefined && d.status === 'active' && publicIpv4(d) !== null;

export async function waitForDroplets(api: DigitalOceanApi, ids: readonly number[], options: WaitOptions): Promise<DoDroplet[]> {
  const deadline = Date.now() + options.timeoutMs;
  const plural = ids.length === 1 ? 'droplet' : 'droplets';
  let lastMessage = '';
  for (;;) {
    const listed = await api.listAll<DoDroplet>(`/v2/droplets?tag_name=${HITC_TAG}`, 'droplets', options.signal);
    const byId = new Map(listed.map((d) => [d.id, d]));
    const current = ids.map((id) => byId.get(id));
    if (current.every(ready)) return current;

    // a droplet not listed yet is as good as new; "active" without an address counts as active
    const counts = new Map<string, number>();
    for (const d of current) counts.set(d?.status ?? 'new', (counts.get(d?.status ?? 'new') ?? 0) + 1);
    const states = [...counts].map(([state, n]) => `${state}: ${n}`).join(', ');
    const message = `waiting for ${ids.length} ${plural} to start [${states}]`;
    // only changes are worth a line: a long wait would otherwise print the same line 200 times
    if (message !== lastMessage) options.progress(message);
    lastMessage = message;

    if (Date.now() + options.intervalMs > deadline) {
      const late = ids.filter((_, i) => !ready(current[i]));
      throw new ProviderError(PROVIDER, `${late.length} of ${ids.length} ${plural} did not start within ${formatDuration(options.timeoutMs)} (${states}; ids ${late.join(', ')})`, {
        hint: 'they may still come up: hitc nodes shows them, hitc terminate removes them (they are billed meanwhile)',
      });
    }
    await sleep(options.intervalMs, undefined, { signal: options.signal });
  }
}

function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}
