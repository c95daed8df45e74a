// `docker inspect` JSON and hitc's iptables bindings → plain container facts (pure; fixture-tested).

import { IMAGES_MARK, STATE_SEPARATOR } from './commands.ts';

export interface PortBinding {
  readonly container: number;
  /** null: exposed but not published (shown as 22:None, like the original). */
  readonly public: number | null;
  readonly protocol: string;
  /** 'docker' for -p publishing, 'hitc' for docker.bind rules. */
  readonly via: 'docker' | 'hitc';
}

export interface ContainerInfo {
  readonly id: string;
  readonly name: string;
  readonly image: string;
  readonly imageId: string;
  readonly ip: string | null;
  readonly running: boolean;
  readonly state: string;
  readonly created: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly command: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly ports: readonly PortBinding[];
  /** Docker's restart policy name (`no`, `unless-stopped`, …), when the inspect said. */
  readonly restartPolicy?: string;
}

export interface DockerHostState {
  readonly dockerInstalled: boolean;
  readonly containers: readonly ContainerInfo[];
}

interface RawInspect {
  Id: string;
  Name: string;
  Created: string;
  Image: string;
  State?: { Running?: boolean; Status?: string };
  HostConfig?: { RestartPolicy?: { Name?: string } };
  Config?: { Image?: string; Env?: string[] | null; Cmd?: string[] | null; Labels?: Record<string, string> | null; ExposedPorts?: Record<string, unknown> | null };
  NetworkSettings?: {
    IPAddress?: string;
    Ports?: Record<string, { HostIp: string; HostPort: string }[] | null> | null;
    Networks?: Record<string, { IPAddress?: string }> | null;
  };
}

export interface HitcBinding {
  readonly container: string;
  readonly public: number;
  readonly protocol: string;
  readonly to: string;
}

/** Parse the output of readStateCommand() (its image ids, if any, are parseStateImageIds's). */
export function parseHostState(output: string): DockerHostState {
  if (output.trim() === 'no-docker') return { dockerInstalled: false, containers: [] };
  const [containersText = '[]', rulesText = ''] = output.split(`${STATE_SEPARATOR}\n`);
  const [inspectText = '[]'] = containersText.split(`${IMAGES_MARK}\n`);
  const bindings = parseBindRules(rulesText);
  const containers = (JSON.parse(inspectText) as RawInspect[]).map((raw) => toContainerInfo(raw, bindings));
  return { dockerInstalled: true, containers: containers.sort((a, b) => a.name.localeCompare(b.name)) };
}

export function parseBindRules(text: string): HitcBinding[] {
  const out: HitcBinding[] = [];
  for (const line of text.split('\n')) {
    const m = /^-A \S+ -p (\w+) .*--dport (\d+) .*--comment "?hitc-bind:([^"\s]+)"? .*-j DNAT --to-destination ([\d.]+:\d+)/.exec(line);
    if (m) out.push({ protocol: m[1] as string, public: Number(m[2]), container: m[3] as string, to: m[4] as string });
  }
  return out;
}

function toContainerInfo(raw: RawInspect, bindings: readonly HitcBinding[]): ContainerInfo {
  const name = raw.Name.replace(/^\//, '');
  const nets = raw.NetworkSettings?.Networks ?? {};
  const ip = raw.NetworkSettings?.IPAddress || Object.values(nets).map((n) => n.IPAddress).find((a) => a) || null;
  const ports: PortBinding[] = [];
  for (const [key, hostPorts] of Object.entries(raw.NetworkSettings?.Ports ?? {})) {
    const [port, protocol = 'tcp'] = key.split('/');
    const published = (hostPorts ?? []).filter((h) => h.HostIp === '0.0.0.0' || h.HostIp === '' || !h.HostIp.includes(':'));
    if (published.length === 0) ports.push({ container: Number(port), public: null, protocol, via: 'docker' });
    for (const h of published.slice(0, 1)) ports.push({ container: Number(port), public: Number(h.HostPort), protocol, via: 'docker' });
  }
  for (const b of bindings) {
    if (b.container !== name) continue;
    const port = Number(b.to.split(':')[1]);
    ports.push({ container: port, public: b.public, protocol: b.protocol, via: 'hitc' });
  }
  // an exposed port that hitc binds is not "unpublished" any more
  const shown = ports.filter((p) => !(p.public === null && ports.some((q) => q !== p && q.container === p.container && q.protocol === p.protocol && q.public !== null)));
  shown.sort((a, b) => a.container - b.container || (a.public ?? 0) - (b.public ?? 0));
  return {
    id: raw.Id,
    name,
    image: raw.Config?.Image ?? raw.Image,
    imageId: raw.Image,
    ip,
    running: raw.State?.Running === true,
    state: raw.State?.Status ?? (raw.State?.Running ? 'running' : 'exited'),
    created: raw.Created,
    environment: Object.fromEntries((raw.Config?.Env ?? []).map((e) => {
      const i = e.indexOf('=');
      return i < 0 ? [e, ''] : [e.slice(0, i), e.slice(i + 1)];
    })),
    command: raw.Config?.Cmd ?? [],
    labels: raw.Config?.Labels ?? {},
    ports: shown,
    ...(raw.HostConfig?.RestartPolicy?.Name !== undefined ? { restartPolicy: raw.HostConfig.RestartPolicy.Name || 'no' } : {}),
  };
}

/** An image (or container) id as people read it: 12 hex digits, no `sha256:`. */
export const shortId = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12);

/** `2014-03-16 21:53:22`, the original's created format (UTC). */
export function formatCreated(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().slice(0, 19).replace('T', ' ');
}

/** One spelling per image reference, as the Engine lists tags: `nginx`, `library/nginx:latest`
 *  and `docker.io/library/nginx:latest` are all `nginx:latest`. */
export function imageKey(ref: string): string {
  let r = ref.replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '');
  r = r.replace(/^library\//, '');
  const lastPart = r.slice(r.lastIndexOf('/') + 1);
  return r.includes('@') || lastPart.includes(':') ? r : `${r}:latest`;
}

/** The image ids readStateCommand(images) printed (none without images, or without docker). */
export function parseStateImageIds(output: string): Record<string, string> {
  const [containersText = ''] = output.split(`${STATE_SEPARATOR}\n`);
  const [, idsText = ''] = containersText.split(`${IMAGES_MARK}\n`);
  return parseImageIds(idsText);
}

/** The image list (Engine API JSON, or `ID TAG` lines from the CLI) → image id by imageKey of each tag. */
export function parseImageIds(output: string): Record<string, string> {
  const out: Record<string, string> = {};
  const text = output.trim();
  if (text.startsWith('[')) {
    for (const image of JSON.parse(text) as { Id: string; RepoTags?: string[] | null }[]) {
      for (const tag of image.RepoTags ?? []) out[imageKey(tag)] = image.Id;
    }
    return out;
  }
  for (const line of text.split('\n')) {
    const [id = '', tag = ''] = line.trim().split(' ');
    if (id.startsWith('sha256:') && tag) out[imageKey(tag)] = id;
  }
  return out;
}
