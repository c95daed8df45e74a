// Waiting on EC2: poll timing, an overall deadline, and sleeps that end on Ctrl-C.

export interface PollTiming {
  /** Between two polls (the original polled every 5 s; 2 s keeps create snappy). */
  readonly intervalMs: number;
  /** The whole create (spot fulfilment + start-up) must finish within this. */
  readonly timeoutMs: number;
  /** How long a running instance may lack a public address before create gives up on it. */
  readonly noAddressGraceMs: number;
}

export const DEFAULT_TIMING: PollTiming = { intervalMs: 2000, timeoutMs: 10 * 60_000, noAddressGraceMs: 60_000 };

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** "10 min", "90 s", "0.3 s". */
export function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms >= 1000) return `${Math.round(ms / 1000)} s`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** "pending: 1, running: 1" in a stable order. */
export function countSummary(labels: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([label, n]) => `${label}: ${n}`)
    .join(', ');
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
