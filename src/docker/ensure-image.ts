// One way to make sure an image is on a host before a container is made from it (docker.run and
// ensemble apply alike): nothing is removed for a container whose image cannot be had.

import { sh } from '../core/command.ts';
import { TaskError } from '../core/errors.ts';
import { dockerImageId, dockerPull } from './commands.ts';
import type { DockerHost } from './docker-host.ts';

/** Pulls the image unless the host has it (one round trip). A tag already there is not
 *  re-pulled, so other containers of that tag never silently fall behind it. A failure names
 *  the image, the host (`on`, else the connection's name) and the end of what docker said;
 *  `prefix` starts the message (ensemble apply names its server there). */
export async function ensureImage(host: DockerHost, image: string, options: { prefix?: string; hint?: string; on?: string } = {}): Promise<void> {
  const r = await host.asRoot(sh`${dockerImageId(image)} >/dev/null 2>&1 || ${dockerPull(image)} >/dev/null`, { quiet: true, warn: true });
  if (r.ok) return;
  const said = r.stderr.trim().split('\n').filter((l) => l.trim() !== '').slice(-2).join(' / ');
  const why = r.timedOut ? 'docker pull timed out' : said || `docker pull exited with code ${r.exitCode}`;
  const on = options.on ?? host.name;
  throw new TaskError(`${options.prefix ?? ''}image ${image} is not on ${on} and could not be pulled: ${why}`, {
    host: on,
    hint: options.hint ?? 'check the image name and tag (and registry credentials: hitc docker.setup uploads them)',
  });
}
