// What a failed swap says: why (one line), what serves now, and the failed container's last log
// lines, indented under it. The message never claims the old container serves when it does not.

import { TaskError } from '../../core/errors.ts';
import { nextName } from '../../docker/swap-names.ts';
import { parseSwapFailure, type SwapFailure } from '../../docker/swap-script.ts';

const SERVING: Record<SwapFailure['serving'], (name: string) => string> = {
  old: () => 'the old container keeps serving, untouched (same id)',
  'old-back': () => 'the old container was put back as it was (same id)',
  'stand-in': (name) => `the new version keeps serving from the stand-in ${nextName(name)} (through a DNAT rule); the next up retries ${name}`,
  none: () => 'there was no old container',
  lost: (name) => `the old container could not get its name back: it is kept as ${name}-hitc-prev-…; rename it to ${name} (docker rename)`,
};

export function swapError(server: string, name: string, result: { stdout: string; stderr: string; exitCode: number | null; timedOut?: boolean }): TaskError {
  const said = result.stderr.trim().split('\n').filter((l) => l.trim() !== '').slice(-3).join(' / ');
  const f = parseSwapFailure(result.stdout);
  if (!f) {
    return new TaskError(`[${server}] the swap of ${name} ${result.timedOut ? 'timed out' : `exited with code ${result.exitCode}`}${said ? `: ${said}` : ''}`, {
      host: server, hint: 'the next up puts an interrupted swap right (a stand-in NAME-hitc-next, a container aside)',
    });
  }
  const what = f.step === 'stand-in' ? `the new ${name} (stand-in ${nextName(name)}) is not healthy`
    : f.step === 'final' ? `the new ${name} is not healthy`
    : f.step === 'switch' ? `the traffic could not be switched to the new ${name}`
    : f.step === 'aside' ? `the old ${name} could not step aside` : `an earlier swap of ${name} could not be put right`;
  const logs = f.logs.length > 0 ? `\n${f.logs.map((l) => `    ${l}`).join('\n')}` : '';
  const outcome = SERVING[f.serving](name);
  // a container that could not even start has no logs: docker's own error says why
  const refused = /^docker run of \S+ exited with code (\d+)$/.exec(f.why);
  if (refused) {
    return new TaskError(`[${server}] docker run for ${f.step === 'stand-in' ? nextName(name) : name} exited with code ${refused[1]}${said ? `: ${said}` : ''}; ${outcome}${logs}`, { host: server, hint: outcome });
  }
  // said in the message too: a failed step of an apply shows its message, not its hint
  return new TaskError(`[${server}] ${what}: ${f.why}; ${outcome}${logs}`, { host: server, hint: outcome });
}
