// CONTAINER[:PUBLIC][/PROTO] — the original's port grammar: `80` publishes 80 on 80,
// `3306:3307` publishes container 3306 on host 3307, `1234/udp`.

import { UsageError } from '../core/errors.ts';

export interface PortSpec {
  readonly container: number;
  readonly public: number;
  readonly protocol: 'tcp' | 'udp';
}

export function parsePortSpec(text: string, where = 'ports'): PortSpec {
  const m = /^(\d+)(?::(\d+))?(?:\/(tcp|udp))?$/.exec(text.trim());
  const bad = (why: string): never => {
    throw new UsageError(`invalid port spec "${text}" in ${where}: ${why}`, {
      argument: where,
      hint: 'write CONTAINER[:PUBLIC][/tcp|udp], e.g. 80, 3306:3307, 1234/udp',
    });
  };
  if (!m) return bad('expected CONTAINER[:PUBLIC][/PROTO]');
  const container = Number(m[1]);
  const pub = m[2] === undefined ? container : Number(m[2]);
  for (const p of [container, pub]) if (p < 1 || p > 65535) bad(`port ${p} is out of range 1-65535`);
  return { container, public: pub, protocol: (m[3] ?? 'tcp') as 'tcp' | 'udp' };
}

/** "80:8080" (tcp) or "53:53/udp", as docker.ps shows a binding. */
export function formatBinding(container: number, pub: number | null, protocol: string): string {
  return `${container}:${pub === null ? 'None' : pub}${protocol === 'tcp' ? '' : `/${protocol}`}`;
}
