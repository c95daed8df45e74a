// Observation: find each manifest server (provider listings, refreshed), then one batched probe
// per server — all containers, hitc's bindings and the firewall hash — all servers in parallel.

import { CommandError, ConnectError, HitcError, InterruptedError } from '../../core/errors.ts';
import type { HostSpec } from '../../core/host-spec.ts';
import { DockerHost } from '../../docker/docker-host.ts';
import { parseHostState, parseStateImageIds } from '../../docker/inspect.ts';
import { ensembleTag, type Node, type Provider } from '../../providers/types.ts';
import type { TaskContext } from '../../taskfile/context-types.ts';
import { parseFirewallHash, parseSshPath, READ_SSH_PATH } from '../firewall/firewall-commands.ts';
import { strayId, type Manifest, type ManifestServer } from '../manifest/model.ts';
import type { ObservedServer, ObservedWorld } from './observed.ts';
import { probeCommand, splitProbe, type ProbeSections } from './probe.ts';

export interface Located {
  readonly provider: Provider;
  readonly node?: Node;
  readonly spec?: HostSpec;
  /** A server of that name that exists but is not running (stopped, pending…): never replaced
   *  behind the user's back, since it may hold data. */
  readonly notRunning?: Node;
}

/** A server this ensemble created (its tag or label says so) that the manifest no longer has
 *  on that provider: an orphan, terminated only with prune. */
export interface Stray {
  readonly id: string;
  readonly provider: Provider;
  readonly node: Node;
}

const GONE = /^(terminated|shutting-down|archive)$/;

/** Where each manifest server is (if it exists), by name, and this ensemble's strays among the
 *  providers the manifest uses. Each provider is listed once, all in parallel. */
export async function locateServers(c: TaskContext, manifest: Manifest, ensemble: string): Promise<{ located: Map<string, Located>; strays: Stray[]; conflicts: Record<string, string> }> {
  const located = new Map<string, Located>();
  const strays: Stray[] = [];
  const conflicts: Record<string, string> = {};
  const byProvider = new Map<string, ManifestServer[]>();
  for (const s of manifest.servers) byProvider.set(s.provider, [...(byProvider.get(s.provider) ?? []), s]);
  await Promise.all([...byProvider].map(async ([name, servers]) => {
    const provider = await c.cloud.providers.get(name);
    if (name === 'unmanaged') {
      for (const s of servers) located.set(s.name, { provider, spec: { ...c.cloud.hostSpec(provider, { provider: 'unmanaged', id: s.name, name: s.name, size: null, ip: s.name, internalIp: s.name, state: 'running', running: true, created: null, extra: {} }) } });
      return;
    }
    const nodes = await c.cloud.nodes(provider, { refresh: true });
    const mine = ensembleTag(ensemble);
    for (const s of servers) {
      // a server another ensemble created is never adopted, whatever its name
      const other = nodes.find((n) => n.name === s.name && n.ensemble !== undefined && n.ensemble !== mine && !GONE.test(n.state));
      if (other) {
        conflicts[s.name] = `the ${name} server ${s.name} (${other.id}) belongs to the ensemble ${other.ensemble}: it is never adopted, replaced or removed from here`;
        located.set(s.name, { provider });
        continue;
      }
      const node = nodes.find((n) => n.name === s.name && n.running && n.ip);
      const idle = nodes.find((n) => n.name === s.name && !n.running && !GONE.test(n.state));
      located.set(s.name, node ? { provider, node, spec: c.cloud.hostSpec(provider, node) } : { provider, ...(idle ? { notRunning: idle } : {}) });
    }
    for (const node of nodes) {
      if (node.ensemble !== mine || GONE.test(node.state) || servers.some((s) => s.name === node.name)) continue;
      strays.push({ id: strayId(name, node.name), provider, node });
    }
  }));
  return { located, strays, conflicts };
}

export async function observe(c: TaskContext, manifest: Manifest, located: Map<string, Located>, options: { pull?: boolean; strays?: readonly Stray[]; conflicts?: Readonly<Record<string, string>> } = {}): Promise<ObservedWorld> {
  const servers: Record<string, ObservedServer> = {};
  const unreachable: Record<string, string> = {};
  const unavailable: Record<string, string> = {};
  await Promise.all(manifest.servers.map(async (s) => {
    const where = located.get(s.name);
    if (where?.notRunning) unreachable[s.name] = `the ${s.provider} server ${s.name} exists but is ${where.notRunning.state}; start or terminate it, then run again`;
    if (!where?.spec) return;
    const host = new DockerHost(c.on(where.spec));
    const images = [...new Set(s.containers.map((x) => x.image).filter((i) => !i.includes('$')))];
    const address = where.spec.host;
    const probeOptions = { pull: options.pull === true, sshPath: s.firewall !== undefined };
    let probe: ProbeSections;
    let stderr: string;
    let sshPath: ReturnType<typeof parseSshPath>;
    try {
      const r = await host.asRoot(probeCommand(images, probeOptions), { quiet: true });
      probe = splitProbe(r.stdout, probeOptions);
      stderr = r.stderr;
      // what the firewall must keep open, read as the login user: in the probe when that is
      // root, else apart (sudo drops SSH_CLIENT)
      if (s.firewall) sshPath = parseSshPath(probe.sshPath) ?? parseSshPath((await host.c.run(READ_SSH_PATH, { quiet: true, warn: true })).stdout);
    } catch (error) {
      if (error instanceof InterruptedError || !(error instanceof HitcError)) throw error;
      // a server that does not answer (or whose probe fails) is "unavailable" in the plan and the
      // others are still planned: one bad server never hides the rest
      if (error instanceof ConnectError && s.provider === 'unmanaged') unreachable[s.name] = error.message;
      else unavailable[s.name] = `${s.name} could not be observed: ${describeFailure(error)}`;
      return;
    }
    if (probe.dockerDown) {
      const said = lastLine(stderr);
      unavailable[s.name] = `Docker is not running on ${address}${said ? ` (${said})` : ''}; start it (e.g. systemctl start docker) and run again`;
      return;
    }
    let parsed: ReturnType<typeof parseHostState>;
    try {
      parsed = parseHostState(probe.state);
    } catch (error) {
      unavailable[s.name] = `Docker's answer on ${address} could not be read (${(error as Error).message}); is Docker working there? (docker ps)`;
      return;
    }
    for (const image of probe.failedPulls) c.warn(`${s.name}: could not pull ${image}; comparing with the image already there`);
    const imageIds = parseStateImageIds(probe.state);
    const fw = probe.firewall;
    const node = where.node;
    servers[s.name] = {
      name: s.name,
      ...(node ? { id: node.id } : {}),
      provider: s.provider,
      ip: where.spec.host,
      internalIp: node?.internalIp ?? where.spec.host,
      options: node ? where.provider.optionsOf(node) : {},
      dockerInstalled: parsed.dockerInstalled,
      containers: parsed.containers,
      imageIds,
      ...(parseFirewallHash(fw) ? { firewall: parseFirewallHash(fw) } : {}),
      ...(sshPath ? { sshPath } : {}),
    };
  }));
  const strays = (options.strays ?? []).map((x) => ({ id: x.id, nodeId: x.node.id, name: x.node.name, provider: x.provider.name, state: x.node.state }));
  const conflicts = options.conflicts ?? {};
  return { servers, ...(Object.keys(unreachable).length > 0 ? { unreachable } : {}), ...(Object.keys(conflicts).length > 0 ? { conflicts } : {}), ...(Object.keys(unavailable).length > 0 ? { unavailable } : {}), ...(strays.length > 0 ? { strays } : {}) };
}

function lastLine(text: string): string {
  return text.trim().split('\n').filter((l) => l.trim() !== '').pop()?.trim() ?? '';
}

function describeFailure(error: HitcError): string {
  if (error instanceof CommandError) {
    const said = lastLine(error.stderr);
    return `the probe ${error.exitCode === null ? 'did not finish' : `exited with code ${error.exitCode}`}${said ? `: ${said}` : ''}`;
  }
  return error.message;
}
