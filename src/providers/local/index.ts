// local: servers are containers on this machine's Docker Engine, each running sshd and its own
// dockerd on the `hitc-local` network — hitc's no-account default (clusterdock's job).

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../core/errors.ts';
import { ensembleTag, ProviderError, type EnsembleExtra, type Node, type Provider, type ProviderEnv } from '../types.ts';
import { docker } from './docker-cli.ts';
import { ensureLocalImage } from './image.ts';
import { privilegeFlags } from './privileges.ts';

export const LOCAL_NETWORK = 'hitc-local';
const LABEL = 'hitc.local.server';
/** Label naming the ensemble that created a local server. */
const ENSEMBLE_LABEL = 'hitc.local.ensemble';

/** An ensemble's own network: its servers find each other there as NAME and NAME.ENSEMBLE. */
export function ensembleNetwork(ensemble: string): string {
  return `hitc-ens-${ensembleTag(ensemble)}`;
}

// an ensemble's servers are created concurrently, and Docker lets several networks share a name
const makingNetwork = new Map<string, Promise<string>>();

/** The ensemble's network, made on first use; a network of that name hitc did not label for this
 *  ensemble is never joined. */
function ensureEnsembleNetwork(ensemble: string): Promise<string> {
  const network = ensembleNetwork(ensemble);
  let making = makingNetwork.get(network);
  if (!making) {
    making = makeEnsembleNetwork(network, ensembleTag(ensemble));
    makingNetwork.set(network, making);
    making.catch(() => makingNetwork.delete(network));
  }
  return making;
}

async function makeEnsembleNetwork(network: string, tag: string): Promise<string> {
  const label = await docker(['network', 'inspect', '--format', `{{index .Labels "${ENSEMBLE_LABEL}"}}`, network]).then((out) => out.trim(), () => undefined);
  if (label === undefined) await docker(['network', 'create', '--label', LABEL, '--label', `${ENSEMBLE_LABEL}=${tag}`, network]);
  else if (label !== tag) throw new ProviderError('local', `a Docker network ${network} exists that hitc did not make for ensemble ${tag}`, { hint: `remove or rename it (docker network rm ${network})` });
  return network;
}

async function ensembleNetworks(ensemble: string): Promise<EnsembleExtra[]> {
  // by id: a name can be shared (networks another run raced to make)
  const rows = (await docker(['network', 'ls', '--filter', `label=${ENSEMBLE_LABEL}=${ensembleTag(ensemble)}`, '--format', '{{.ID}} {{.Name}}'])).split('\n').filter(Boolean);
  return rows.map((row) => row.split(' ') as [string, string]).filter(([, name]) => name === ensembleNetwork(ensemble)).map(([networkId, name]) => ({
    title: `network ${name}`,
    remove: async () => void (await docker(['network', 'rm', networkId])),
  }));
}

/** The key local servers trust: HITC_LOCAL_KEY, else ~/.hitc/local_ed25519 (made on first use). */
function keyFile(): string {
  if (process.env.HITC_LOCAL_KEY) return process.env.HITC_LOCAL_KEY;
  const path = join(homedir(), '.hitc', 'local_ed25519');
  if (!existsSync(path)) {
    mkdirSync(join(homedir(), '.hitc'), { recursive: true, mode: 0o700 });
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'hitc-local', '-f', path]);
  }
  return path;
}

interface Inspected {
  Id: string;
  Name: string;
  Created: string;
  State: { Status: string; Running: boolean };
  Config?: { Labels?: Record<string, string> | null; Image?: string };
  NetworkSettings: { Networks: Record<string, { IPAddress: string }>; Ports?: Record<string, { HostIp: string; HostPort: string }[] | null> | null };
}

function toNode(raw: Inspected, prefix: string): Node | undefined {
  const full = raw.Name.replace(/^\//, '');
  if (!full.startsWith(prefix)) return undefined;
  const ip = raw.NetworkSettings.Networks[LOCAL_NETWORK]?.IPAddress || null;
  return {
    provider: 'local', id: raw.Id.slice(0, 12), name: full.slice(prefix.length), size: null, ip, internalIp: ip,
    state: raw.State.Status, running: raw.State.Running, created: raw.Created,
    extra: { image: raw.Config?.Image ?? '', ports: publishedPorts(raw.NetworkSettings.Ports) },
    ...(raw.Config?.Labels?.[ENSEMBLE_LABEL] ? { ensemble: raw.Config.Labels[ENSEMBLE_LABEL] } : {}),
  };
}

/** "8080->80/tcp, 2222->22/tcp": the ports this machine publishes (the rest are reached on hitc-local). */
export function publishedPorts(ports: Inspected['NetworkSettings']['Ports']): string {
  const out: string[] = [];
  for (const [inside, bindings] of Object.entries(ports ?? {})) {
    for (const port of new Set((bindings ?? []).map((b) => b.HostPort))) out.push(`${port}->${inside}`);
  }
  return out.sort().join(', ');
}

export function createLocalProvider(): Provider {
  const list = async (env: ProviderEnv): Promise<Node[]> => {
    const ids = (await docker(['ps', '-aq', '--filter', `label=${LABEL}`])).split('\n').filter(Boolean);
    if (ids.length === 0) return [];
    const raw = JSON.parse(await docker(['inspect', ...ids])) as Inspected[];
    return raw.map((r) => toNode(r, env.namePrefix)).filter((n): n is Node => n !== undefined);
  };
  return {
    name: 'local',
    createDefaults: {},
    nodeColumns: ['name', 'ip', 'state', 'id', 'ports', 'image', 'created'],
    missingConfig: () => (existsSync('/var/run/docker.sock') || process.env.DOCKER_HOST ? undefined : 'no Docker Engine here (/var/run/docker.sock missing)'),
    ssh: () => ({ user: 'root', keyFile: keyFile() }),
    listNodes: list,
    // a local server has no create options to differ in
    optionsOf: () => ({}),
    async validateCreateOptions(options) {
      const unknown = Object.keys(options);
      if (unknown.length > 0) throw new UsageError(`the local provider takes no options (got ${unknown.join(', ')})`, { argument: unknown[0] });
      return {};
    },
    async createServers(request, env) {
      const image = await ensureLocalImage(env.progress);
      await docker(['network', 'inspect', LOCAL_NETWORK]).catch(() => docker(['network', 'create', '--label', LABEL, LOCAL_NETWORK]));
      const flags = await privilegeFlags(image);
      const publicKey = readFileSync(`${keyFile()}.pub`, 'utf8').trim();
      const cluster = request.ensemble ? await ensureEnsembleNetwork(request.ensemble) : undefined;
      for (const name of request.names) {
        env.progress(`starting local server ${name}`);
        await docker(['run', '-d', '--name', `${env.namePrefix}${name}`, '--hostname', name, '--network', LOCAL_NETWORK,
          '--label', LABEL, ...(request.ensemble ? ['--label', `${ENSEMBLE_LABEL}=${ensembleTag(request.ensemble)}`] : []), '-e', `HITC_AUTHORIZED_KEY=${publicKey}`, '--restart', 'unless-stopped',
          '--mount', 'type=volume,dst=/var/lib/docker', ...flags, image]);
        // hitc-local stays the network this machine reaches it on; the ensemble's is for its peers
        if (cluster && request.ensemble) await docker(['network', 'connect', '--alias', name, '--alias', `${name}.${ensembleTag(request.ensemble)}`, cluster, `${env.namePrefix}${name}`]);
      }
      const wanted = new Set(request.names);
      const nodes = (await list(env)).filter((n) => wanted.has(n.name));
      const notUp = nodes.filter((n) => !n.running || !n.ip);
      if (nodes.length !== request.names.length || notUp.length > 0) {
        throw new ProviderError('local', `local servers did not start: ${request.names.filter((n) => !nodes.some((x) => x.name === n && x.running)).join(', ')}`, { hint: 'docker logs <container> shows why' });
      }
      return nodes;
    },
    async terminate(node) {
      await docker(['rm', '-fv', node.id]);
    },
    ensembleExtras: (ensemble) => ensembleNetworks(ensemble),
    async reboot(node) {
      await docker(['restart', node.id]);
    },
    async rename(node, newName, env) {
      await docker(['rename', node.id, `${env.namePrefix}${newName}`]);
    },
    async pricing() {
      return { columns: ['size', 'cost'], rows: [['any', '0 (your machine)']] };
    },
  };
}
