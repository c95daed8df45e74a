// What a failed replaceCommand says: which step failed, and whether the old container runs
// again (the hint never claims it was put back when it was not).

import { TaskError } from '../../core/errors.ts';
import { ASIDE_SUFFIX, parseReplaceFailure } from '../../docker/commands.ts';

export function replaceError(server: string, name: string, result: { stdout: string; stderr: string; exitCode: number | null; timedOut?: boolean }): TaskError {
  const said = result.stderr.trim().split('\n').filter((l) => l.trim() !== '').slice(-3).join(' / ');
  const tail = said ? `: ${said}` : '';
  const f = parseReplaceFailure(result.stdout);
  const aside = `${name}${ASIDE_SUFFIX}`;
  const back = f?.restored === 'yes' ? 'the old container was put back as it was (same id)'
    : f?.restored === 'no' ? `the old container could not be put back: it is kept as ${aside}; give it its name back with docker rename (the next apply does that too)`
    : 'check the image, command and ports of that container';
  if (!f) {
    return new TaskError(`[${server}] docker run for ${name} ${result.timedOut ? 'timed out' : `exited with code ${result.exitCode}`}${tail}`, {
      host: server, hint: `if the old container is now ${aside}, the next apply gives it its name back first`,
    });
  }
  if (f.step === 'aside') return new TaskError(`[${server}] could not move the old ${name} aside (exit code ${f.code})${tail}`, { host: server, hint: 'nothing was changed: the old container is as it was' });
  // said in the message too: a failed step of an apply shows its message, not its hint
  const outcome = f.restored === 'none' ? '' : `; ${back}`;
  if (f.step === 'exited') return new TaskError(`[${server}] the new ${name} stopped right after it started (its exit code ${f.code})${tail}${outcome}`, { host: server, hint: back });
  return new TaskError(`[${server}] docker run for ${name} exited with code ${f.code}${tail}${outcome}`, { host: server, hint: back });
}
