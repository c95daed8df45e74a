// Doing one op: an exhaustive switch over the plan's op kinds. Each handler does what its op
// says with the values the op carries; a pending value is filled in from the world (the plan
// said what it waits for, and those ops are done). No handler decides whether to act.

import { TaskError } from '../../core/errors.ts';
import type { HostSpec } from '../../core/host-spec.ts';
import { sh } from '../../core/command.ts';
import { localUserAtHost } from '../../core/whoami.ts';
import { dockerRun, unbindCommand } from '../../docker/commands.ts';
import { swapCommand } from '../../docker/swap-script.ts';
import { nextName } from '../../docker/swap-names.ts';
import { removeContainerCommand } from '../../docker/swap-commands.ts';
import { DockerHost } from '../../docker/docker-host.ts';
import { ensureImage } from '../../docker/ensure-image.ts';
import { parseHostState } from '../../docker/inspect.ts';
import { setupDocker } from '../../docker/setup.ts';
import { waitForSsh } from '../../runner/wait-ssh.ts';
import type { TaskContext } from '../../taskfile/context-types.ts';
import { applyFirewall, removeFirewall } from '../firewall/firewall-apply.ts';
import { firewallRestoreInput, parseSshPath, READ_SSH_PATH } from '../firewall/firewall-commands.ts';
import { firewallHash, transientPeer } from '../firewall/firewall-rules.ts';
import type { Manifest, ManifestContainer, ManifestServer } from '../manifest/model.ts';
import type { Located, Stray } from '../observe/observe.ts';
import { LABELS } from '../observe/observed.ts';
import { assertNever, type ContainerOp, type CreateServerOp, type Op, type PutFirewallOp, type ReplaceServerOp } from '../plan/ops.ts';
import { resolveContainer, type ResolvedContainer } from '../plan/resolve-container.ts';
import type { World } from '../plan/world.ts';
import { runRelease } from './run-release.ts';
import { swapError } from './swap-error.ts';

export interface ApplyState {
  readonly c: TaskContext;
  readonly manifest: Manifest;
  readonly ensemble: string;
  readonly world: World;
  readonly located: Map<string, Located>;
  readonly strays: readonly Stray[];
}

type Note = (text: string) => void;

/** Does the op; returns a short detail for its progress line. */
export async function runOp(s: ApplyState, op: Op, note: Note): Promise<string> {
  switch (op.kind) {
    case 'create-server': return createServer(s, op, note);
    case 'replace-server': return createServer(s, op, note);
    case 'terminate-server': return terminateStray(s, op.id);
    case 'setup-docker': {
      const r = await setupDocker(dockerOn(s, op.server));
      return r.installed ? 'installed' : 'already there';
    }
    case 'pull-image': {
      const image = op.image ?? must(s, containerOf(s, op.server, op.container).image, `${op.server}.containers.${op.container}.image`, op.server);
      await ensureImage(dockerOn(s, op.server), image, { prefix: `[${op.server}] `, on: op.server, hint: 'check the image name and tag; nothing was removed, the running container was kept' });
      return image;
    }
    case 'run-container': case 'replace-container': return runContainer(s, op);
    case 'run-release': {
      // a pending op carries the command as written: its words are filled in now, per word
      const mc = containerOf(s, op.server, op.container);
      const spec = op.spec ?? (resolveContainer(mc, (value, where) => must(s, value, where, op.server)) as ResolvedContainer);
      const words = op.pending ? op.command.map((w) => must(s, w, `${mc.path}.release`, op.server)) : op.command;
      return runRelease(dockerOn(s, op.server), op, spec, words, note);
    }
    case 'remove-container': {
      const host = dockerOn(s, op.server);
      await host.asRoot(unbindCommand(op.container, undefined), { quiet: true });
      // with its stand-in, its earlier copies and its swap rules
      await host.asRoot(removeContainerCommand(op.container), { quiet: true });
      return 'removed';
    }
    case 'put-firewall': return putFirewall(s, op, note);
    case 'remove-firewall':
      await removeFirewall(dockerOn(s, op.server));
      return 'removed';
    default: return assertNever(op);
  }
}

function specOf(s: ApplyState, server: string): HostSpec {
  const spec = s.located.get(server)?.spec;
  if (!spec) throw new TaskError(`${server} has no address`);
  return spec;
}

function dockerOn(s: ApplyState, server: string): DockerHost {
  return new DockerHost(s.c.on(specOf(s, server)));
}

function serverOf(s: ApplyState, name: string): ManifestServer {
  const server = s.manifest.servers.find((x) => x.name === name);
  if (!server) throw new TaskError(`${name} is not in the manifest`);
  return server;
}

function containerOf(s: ApplyState, server: string, name: string): ManifestContainer {
  const c = serverOf(s, server).containers.find((x) => x.name === name);
  if (!c) throw new TaskError(`${server}.containers.${name} is not in the manifest`);
  return c;
}

function must(s: ApplyState, value: string, what: string, host: string): string {
  const v = s.world.resolve(value, host);
  if (v === undefined) throw new TaskError(`${what}: a referenced value is still unknown (${value})`);
  return v;
}

async function createServer(s: ApplyState, op: CreateServerOp | ReplaceServerOp, note: Note): Promise<string> {
  const { c } = s;
  const where = s.located.get(op.server);
  const provider = where?.provider ?? (await c.cloud.providers.get(op.provider));
  // options are valid before anything is terminated: the plan validated them, or (pending) now
  const options = op.options ?? (await provider.validateCreateOptions(
    Object.fromEntries(Object.entries(serverOf(s, op.server).options).map(([k, v]) => [k, must(s, v, `${op.server}.${k}`, op.server)])), c.cloud.env()));
  if (op.kind === 'replace-server') {
    if (!where?.node || where.node.id !== op.node.id) throw new TaskError(`${op.server}: the server to replace (${op.node.id}) is no longer the one found`, { hint: 'plan again' });
    note(`terminating ${where.node.id}: ${op.reason}`);
    await provider.terminate(where.node, c.cloud.env());
  }
  note(`creating a ${op.provider} server`);
  const [node] = await provider.createServers({ names: [op.server], options, ensemble: s.ensemble }, c.cloud.env());
  c.cloud.cache.invalidate(provider.name);
  if (!node?.ip) throw new TaskError(`${op.server} has no address after creation`);
  const spec = c.cloud.hostSpec(provider, node);
  note(`waiting for SSH on ${node.ip}`);
  await waitForSsh(c, [spec]);
  s.located.set(op.server, { provider, node, spec });
  s.world.setServer({ name: op.server, ip: node.ip, internalIp: node.internalIp ?? node.ip, options: provider.optionsOf(node) });
  return node.ip;
}

async function terminateStray(s: ApplyState, id: string): Promise<string> {
  const stray = s.strays.find((x) => `terminate-server:${x.provider.name}/${x.node.id}` === id);
  if (!stray) throw new TaskError(`${id}: the server is no longer there`);
  await stray.provider.terminate(stray.node, s.c.cloud.env());
  s.c.cloud.cache.invalidate(stray.provider.name);
  return 'terminated';
}

async function runContainer(s: ApplyState, op: ContainerOp): Promise<string> {
  const mc = containerOf(s, op.server, op.container);
  const resolved: ResolvedContainer = op.spec ?? (resolveContainer(mc, (value, where) => must(s, value, where, op.server)) as ResolvedContainer);
  const { run: containerSpec, normal, hash, argv } = resolved;
  // a variable may have filled it in: docker would read a leading "-" as an option
  if (!/^[A-Za-z0-9]\S*$/.test(containerSpec.image)) throw new TaskError(`${mc.path}.image: "${containerSpec.image}" is not an image name`);
  const labels = { [LABELS.ensemble]: s.ensemble, [LABELS.specHash]: hash, [LABELS.spec]: JSON.stringify(normal), ...startedLabels() };
  // the command's words follow the image, each one quoted: no shell ever splits or reads them
  const words = argv ? sh` ${argv}` : sh``;
  // no restart policy until it is healthy: a policy restart would hide its own exit code
  const run = sh`${dockerRun({ ...containerSpec, restart: 'no' }, labels)}${words}`;
  const runStandIn = op.swap.standIn ? sh`${dockerRun({ ...containerSpec, name: nextName(mc.name), restart: 'no' }, labels, { loopbackPorts: true })}${words}` : undefined;
  // one round trip, as the op's swap says (see swap-script.ts)
  const script = swapCommand({ name: mc.name, swap: op.swap, ports: containerSpec.ports, run, ...(runStandIn ? { runStandIn } : {}), ...(containerSpec.restart ? { restart: containerSpec.restart } : {}) });
  const result = await dockerOn(s, op.server).asRoot(script, { quiet: true, warn: true });
  if (!result.ok) throw swapError(op.server, mc.name, result);
  const after = parseHostState(result.stdout).containers[0];
  if (after) s.world.setContainer(op.server, after);
  return `${op.kind === 'replace-container' ? 'replaced' : 'started'}${after?.ip ? ` (${after.ip})` : ''}: ${op.reason}`;
}

/** Who started a container and when, for ensemble.history: labels outside the spec hash. */
function startedLabels(): Record<string, string> {
  return { [LABELS.startedAt]: new Date().toISOString(), [LABELS.startedBy]: localUserAtHost() };
}

async function putFirewall(s: ApplyState, op: PutFirewallOp, note: Note): Promise<string> {
  const server = serverOf(s, op.server);
  const spec = specOf(s, op.server);
  const host = new DockerHost(s.c.on(spec));
  let { rules, hash, transientPeer: peer } = op;
  if (!rules || !hash) {
    rules = s.world.resolveRules(server.firewall?.rules ?? [], op.server);
    if (!rules) throw new TaskError(`${op.server}.firewall: a source address is still unknown`);
    // the address hitc applies from keeps SSH (transiently) unless the rules admit it already;
    // read as the login user (through sudo the environment has lost SSH_CLIENT)
    const sshPath = parseSshPath((await host.c.run(READ_SSH_PATH, { quiet: true })).stdout);
    if (!sshPath) throw new TaskError(`${op.server}: cannot tell which SSH connection to keep open (no SSH_CLIENT), so the firewall was not changed`);
    peer = transientPeer(rules, sshPath);
    hash = firewallHash(rules, peer?.peer);
  }
  const fixed = rules;
  const input = (family: 4 | 6): string => firewallRestoreInput(fixed, hash as string, s.ensemble, { family, ...(peer ? { transientPeer: peer } : {}) });
  note('applying; then proving a fresh SSH login still works');
  const { persisted } = await applyFirewall(host, () => s.c.on(spec).freshLogin(), op.server, { v4: input(4), v6: input(6) });
  return `${fixed.length} rule${fixed.length === 1 ? '' : 's'} in place, fresh SSH login confirmed${persisted ? '' : '; could not save them for reboots (/etc/hitc)'}`;
}
