// The docker.* task module. Built-in, registered like a user's hitcfile namespace.

import { randomBytes } from 'node:crypto';
import { TaskError } from '../core/errors.ts';
import { splitList } from '../core/list-value.ts';
import { task } from '../taskfile/define.ts';
import { bindCommand, dockerExec, dockerInspect, dockerKill, dockerLogs, dockerPull, dockerRm, dockerRun, dockerSwap, unbindCommand } from './commands.ts';
import { matchContainer, refuseOptionLike } from './container-match.ts';
import { checkImage, containerSpecFromArgs } from './container-spec.ts';
import { DockerHost } from './docker-host.ts';
import { ensureImage } from './ensure-image.ts';
import { formatBinding, parsePortSpec } from './port-spec.ts';
import { setupDocker } from './setup.ts';
import { sshIntoContainer, tunnelToContainer } from './reach.ts';
import { psRows } from './ps-table.ts';
import { renderTable } from '../core/table.ts';

export const setup = task(
  {
    description: 'Install and start Docker on the host when missing (Debian/Ubuntu packages)\nUploads ./docker-config.json or ./dot_dockercfg (registry credentials) once. A no-op when all is in place.',
    parallel: true,
    params: {
      version: { type: 'string', description: 'docker.io package version prefix' },
      force: { type: 'boolean', default: false, description: 'reinstall and re-upload credentials' },
    },
  },
  async (c, { version, force }) => setupDocker(new DockerHost(c), { ...(version ? { version } : {}), force }),
);

export const run = task(
  {
    description: 'Run a container (installs Docker first when missing)\nports=CONTAINER[:PUBLIC][/PROTO] list, environment=K=V list, volumes=/host:/ctr list; separate list items with \\, on the command line.',
    parallel: true,
    params: {
      image: { type: 'string', required: true },
      name: { type: 'string' },
      command: { type: 'string' },
      environment: { type: 'string', description: 'K=V\\,K2=V2' },
      ports: { type: 'string', description: '80\\,3306:3307\\,1234/udp' },
      volumes: { type: 'string', description: '/host:/ctr\\,...' },
      memory: { type: 'string', description: 'memory limit, e.g. 512m' },
      hostname: { type: 'string' },
      privileged: { type: 'boolean', default: false },
    },
  },
  async (c, args) => {
    const spec = containerSpecFromArgs(args); // bad input fails here, before any host changes
    const host = new DockerHost(c);
    let state = await host.state();
    if (!state.dockerInstalled) {
      await setupDocker(host);
      state = await host.state();
    }
    const existing = spec.name ? state.containers.find((x) => x.name === spec.name) : undefined;
    if (existing?.running) {
      throw new TaskError(`container "${spec.name}" is already running on ${host.name}`, { host: host.name, hint: `hitc -H ${host.name} docker.kill:${spec.name} first` });
    }
    await ensureImage(host, spec.image);
    if (!existing || !spec.name) {
      const result = await host.asRoot(dockerRun(spec));
      return { id: result.stdout.trim(), name: spec.name ?? null };
    }
    // the stopped container goes only once its replacement exists: a bad flag or image fails
    // here with the old one untouched
    c.log(`replacing the stopped container ${existing.name}`);
    const tag = randomBytes(4).toString('hex');
    const created = await host.asRoot(dockerRun({ ...spec, name: `${spec.name}.hitc-new-${tag}` }, {}, { create: true }));
    const id = created.stdout.trim().split('\n').pop() ?? '';
    const swapped = await host.asRoot(dockerSwap(existing.id, id, spec.name, `${spec.name}.hitc-old-${tag}`), { warn: true });
    if (!swapped.ok) {
      const why = swapped.stderr.trim().split('\n').filter((l) => l.trim() !== '').slice(-3).join(' / ') || `exit code ${swapped.exitCode}`;
      const now = (await host.state()).containers;
      const back = now.some((x) => x.id === existing.id && x.name === spec.name);
      throw new TaskError(`the new container ${spec.name} on ${host.name} did not start: ${why}`, {
        host: host.name,
        hint: back ? 'the stopped container was kept as it was (same id)' : `the old container is ${existing.id.slice(0, 12)}; see hitc -H ${host.name} -- docker ps -a`,
      });
    }
    return { id, name: spec.name };
  },
);

export const ps = task({ description: 'List running containers: name, ip, ports, created, image' }, async (c) => {
  const state = await new DockerHost(c).state();
  if (!state.dockerInstalled) {
    c.log('docker is not installed');
    return [];
  }
  const running = state.containers.filter((x) => x.running);
  const rows = psRows(running);
  for (const line of renderTable(['name', 'ip', 'ports', 'created', 'image'], rows.map((r) => [r.name, r.ip, r.ports, r.created, r.image]))) c.log(line);
  return rows;
});

export const kill = task(
  {
    description: "Stop a container, remove its port bindings, and remove it (rm=false keeps it)",
    parallel: true,
    params: { container: { type: 'string', required: true }, rm: { type: 'boolean', default: true } },
  },
  async (c, { container, rm }) => {
    const host = new DockerHost(c);
    const info = await host.container(container);
    await host.asRoot(unbindCommand(info.name, info.ip ?? undefined), { quiet: true });
    if (info.running) await host.asRoot(dockerKill(info.name));
    if (rm) await host.asRoot(dockerRm(info.name));
  },
);

export const pull = task({ description: 'Pull an image', parallel: true, params: { image: { type: 'string', required: true } } }, async (c, { image }) => {
  checkImage(image);
  await new DockerHost(c).asRoot(dockerPull(image));
});

export const inspect = task({ description: 'docker inspect a container or image', params: { target: { type: 'string', required: true } } }, async (c, { target }) => {
  refuseOptionLike(target, 'target'); // before the host is asked anything
  if (target !== '') checkImage(target, 'target');
  const host = new DockerHost(c);
  const state = await host.state();
  // a container by the same rules as every docker.* task; anything else is docker's to find
  const container = matchContainer(target, state.containers, host.name, 'target');
  await host.asRoot(container ? dockerInspect(container.id, 'container') : dockerInspect(target));
});

export const logs = task(
  { description: "A container's logs", params: { container: { type: 'string', required: true }, tail: { type: 'number' } } },
  async (c, { container, tail }) => {
    const host = new DockerHost(c);
    const info = await host.container(container);
    await host.asRoot(dockerLogs(info.id, tail));
  },
);

const bindParams = { container: { type: 'string', required: true }, ports: { type: 'string', required: true, description: 'port specs CONTAINER[:PUBLIC][/PROTO]' } } as const;

export const bind = task(
  { description: 'Publish ports of a running container without restarting it (iptables DNAT)', parallel: true, variadic: true, params: bindParams },
  async (c, { container, ports }) => {
    const specs = splitList(ports).map((p) => parsePortSpec(p, 'ports'));
    const host = new DockerHost(c);
    const info = await host.container(container);
    if (!info.running || !info.ip) throw new TaskError(`container "${info.name}" on ${host.name} is not running`, { host: host.name, hint: 'only running containers can be bound' });
    await host.asRoot(bindCommand(info.name, info.ip, specs), { quiet: true });
    c.log(`bound ${specs.map((p) => formatBinding(p.container, p.public, p.protocol)).join(', ')} to ${info.name} (${info.ip})`);
  },
);

export const unbind = task(
  { description: 'Withdraw ports published by docker.bind', parallel: true, variadic: true, params: bindParams },
  async (c, { container, ports }) => {
    const specs = splitList(ports).map((p) => parsePortSpec(p, 'ports'));
    const host = new DockerHost(c);
    const info = await host.container(container);
    await host.asRoot(unbindCommand(info.name, info.ip ?? undefined, specs), { quiet: true });
    c.log(`unbound ${specs.map((p) => formatBinding(p.container, p.public, p.protocol)).join(', ')} from ${info.name}`);
  },
);

export const exec = task(
  { description: 'An interactive shell (or a command) in a container, via docker exec -it', params: { container: { type: 'string', required: true }, cmd: { type: 'string' } } },
  async (c, { container, cmd }) => {
    const host = new DockerHost(c);
    const info = await host.container(container);
    const command = cmd ?? 'sh -c "command -v bash >/dev/null && exec bash || exec sh"';
    const interactive = process.stdin.isTTY === true;
    await host.asRoot(dockerExec(info.name, command, interactive), interactive ? { pty: true, stdin: 'inherit' } : { stdin: 'inherit' });
  },
);

export const ssh = task(
  {
    description: 'A shell (or a command) in a container that runs sshd, through the host as jump host',
    params: {
      container: { type: 'string', required: true },
      cmd: { type: 'string' },
      user: { type: 'string', default: 'root' },
      password: { type: 'string', description: 'tried before your keys; prefer keys (arguments are visible in ps)' },
    },
  },
  async (c, { container, cmd, user, password }) => {
    await sshIntoContainer(new DockerHost(c), container, { user, ...(cmd ? { cmd } : {}), ...(password !== undefined ? { password } : {}) });
  },
);

export const tunnel = task(
  {
    description: "Forward a local port to a container's port through the host, until Ctrl-C",
    params: {
      container: { type: 'string', required: true },
      local: { type: 'number', required: true, description: 'local port (127.0.0.1)' },
      remote: { type: 'number', description: 'container port (default: the local port)' },
    },
  },
  async (c, { container, local, remote }) => {
    await tunnelToContainer(new DockerHost(c), container, local, remote ?? local);
  },
);

