// docker.setup: Docker from the distribution's packages on Debian/Ubuntu, started even where
// there is no init system, registry credentials uploaded once. A no-op when all is in place.

import { existsSync } from 'node:fs';
import { sh } from '../core/command.ts';
import { TaskError, UsageError } from '../core/errors.ts';
import type { DockerHost } from './docker-host.ts';

/** Local files that carry registry credentials, and where root's docker reads them. */
const CREDENTIALS = [
  { local: 'docker-config.json', remote: '/root/.docker/config.json' },
  { local: 'dot_dockercfg', remote: '/root/.dockercfg' },
] as const;

export interface SetupResult {
  readonly installed: boolean;
  readonly started: boolean;
  readonly uploaded: readonly string[];
}

/** A package version prefix as apt writes them (1:20.10.24+dfsg1-1): nothing apt-get could read
 *  as an option or a second package. */
export function checkPackageVersion(version: string): void {
  if (!/^[0-9][0-9A-Za-z.+~:-]*$/.test(version)) {
    throw new UsageError(`invalid version "${version}": a package version starts with a digit and has only letters, digits and . + ~ : -`, {
      argument: 'version',
      hint: 'e.g. version=20.10',
    });
  }
}

export async function setupDocker(host: DockerHost, options: { version?: string; force?: boolean } = {}): Promise<SetupResult> {
  if (options.version !== undefined) checkPackageVersion(options.version);
  const c = host.c;
  const probe = await host.asRoot(sh`command -v docker >/dev/null 2>&1 && echo installed || echo missing; docker info >/dev/null 2>&1 && echo running || echo stopped; command -v apt-get >/dev/null 2>&1 && echo apt || echo no-apt`, { quiet: true });
  const [installedWord, runningWord, aptWord] = probe.stdout.trim().split('\n');
  let installed = false;
  let started = false;
  if (installedWord !== 'installed' || options.force) {
    if (aptWord !== 'apt') {
      throw new TaskError(`docker.setup supports Debian and Ubuntu (apt-get) only, and ${host.name} has no apt-get`, {
        host: host.name,
        hint: 'install Docker there yourself, then hitc docker.* tasks work',
      });
    }
    const pkg = options.version ? `docker.io=${options.version}*` : 'docker.io';
    c.log(`installing ${pkg} from the distribution's packages`);
    await host.asRoot(sh`export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq --no-install-recommends ${pkg} >/dev/null`);
    installed = true;
  }
  if (installed || runningWord !== 'running') {
    // systemd where it runs; the init script elsewhere (containers, minimal VMs)
    await host.asRoot(sh`if [ -d /run/systemd/system ]; then systemctl enable --now docker; else service docker start || (dockerd >/var/log/dockerd.log 2>&1 &); fi
for i in $(seq 1 60); do docker info >/dev/null 2>&1 && exit 0; sleep 0.5; done
echo "dockerd did not answer within 30 s" >&2; tail -5 /var/log/dockerd.log /var/log/docker.log 2>/dev/null >&2; exit 1`);
    started = true;
  }
  const uploaded: string[] = [];
  for (const cred of CREDENTIALS) {
    if (!existsSync(cred.local)) continue;
    const present = await host.asRoot(sh`test -e ${cred.remote} && echo yes || echo no`, { quiet: true });
    if (present.stdout.trim() === 'yes' && !options.force) continue;
    await host.asRoot(sh`mkdir -p ${cred.remote.replace(/\/[^/]+$/, '')}`, { quiet: true });
    await c.put(cred.local, cred.remote, { sudo: !(await host.isRoot()), mode: 0o600 });
    uploaded.push(cred.remote);
  }
  if (!installed && !started && uploaded.length === 0) c.log('docker is already set up: nothing to do');
  return { installed, started, uploaded };
}
