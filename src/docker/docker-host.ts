// Docker on one host, as seen from a task: runs docker commands as root (sudo unless the login
// user is root), reads all container state in one round trip, finds containers by name.

import { sh, type Command } from '../core/command.ts';
import { CommandError, TaskError } from '../core/errors.ts';
import { suggest } from '../core/suggest.ts';
import type { CommandResult, RunOptions, TaskContext } from '../taskfile/context-types.ts';
import { readStateCommand } from './commands.ts';
import { checkContainerWord, matchContainer } from './container-match.ts';
import { parseHostState, type ContainerInfo, type DockerHostState } from './inspect.ts';

const rootByHost = new Map<string, Promise<boolean>>();

export class DockerHost {
  constructor(readonly c: TaskContext) {}

  get name(): string {
    return this.c.host?.name ?? 'localhost';
  }

  /** Whether the login user is root (asked once per host per run). */
  isRoot(): Promise<boolean> {
    let isRoot = rootByHost.get(this.name);
    if (!isRoot) {
      isRoot = this.c.run('id -u', { quiet: true }).then((r) => r.stdout.trim() === '0');
      rootByHost.set(this.name, isRoot);
    }
    return isRoot;
  }

  /** Run as root: directly when logged in as root, else through sudo. A quiet command (a probe)
   *  that is the first on its host also finds out which, in the same round trip. */
  async asRoot(command: Command, options: RunOptions = {}): Promise<CommandResult> {
    if (!rootByHost.has(this.name) && options.quiet) {
      const marker = 'hitc-login-is-not-root';
      const first = this.c.run(sh`if [ "$(id -u)" != 0 ]; then echo ${marker}; exit 0; fi; ${command}`, { ...options, warn: true });
      const isRoot = first.then((r) => !r.stdout.startsWith(marker));
      isRoot.catch(() => undefined); // a failed probe is reported through `first`; later callers still see it
      rootByHost.set(this.name, isRoot);
      const result = await first;
      if (result.stdout.startsWith(marker)) return this.c.sudo(command, options);
      if (result.ok || options.warn) return result;
      throw new CommandError({ host: this.name, command: command.display, exitCode: result.exitCode, timedOut: result.timedOut, stdout: result.stdout, stderr: result.stderr });
    }
    return (await this.isRoot()) ? this.c.run(command, options) : this.c.sudo(command, options);
  }

  async state(): Promise<DockerHostState> {
    const result = await this.asRoot(readStateCommand(), { quiet: true });
    try {
      return parseHostState(result.stdout);
    } catch (error) {
      throw new TaskError(`could not read docker state on ${this.name}: ${(error as Error).message}`, { host: this.name, cause: error });
    }
  }

  /** The container `name` means (running or not; see container-match.ts), a UsageError when the
   *  word is empty or could mean several, or a TaskError naming the host when there is none. */
  async container(name: string, state?: DockerHostState): Promise<ContainerInfo> {
    checkContainerWord(name); // before the host is asked anything
    const s = state ?? (await this.state());
    if (!s.dockerInstalled) {
      throw new TaskError(`docker is not installed on ${this.name}`, { host: this.name, hint: `hitc -H ${this.name} docker.setup` });
    }
    const found = matchContainer(name, s.containers, this.name);
    if (found) return found;
    const names = s.containers.map((c) => c.name);
    const close = suggest(name, names);
    throw new TaskError(`no container named "${name}" on ${this.name}`, {
      host: this.name,
      hint: close.length > 0 ? `did you mean ${close.join(' or ')}?` : names.length > 0 ? `containers there: ${names.join(', ')}` : 'there are no containers on this host',
    });
  }
}
