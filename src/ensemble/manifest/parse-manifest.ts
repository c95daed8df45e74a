// Manifest text → Manifest, reporting every problem at once with file:line and path.
// Templates are applied, counts expanded (NAME, NAME-1, …; container counts apply to every
// server copy), values checked (ports, memory, variables), references and cycles checked.

import type { ManifestIssue } from '../../core/errors.ts';
import { suggest } from '../../core/suggest.ts';
import { parseBooleanText } from '../../core/boolean-text.ts';
import { parsePortSpec, type PortSpec } from '../../docker/port-spec.ts';
import { copyNames } from '../../providers/types.ts';
import type { Secret } from '../../core/secret.ts';
import { parseFirewall } from './manifest-firewall.ts';
import { checkAddress, checkEnvironmentName, checkVariables, checkHostname, checkImage, findNulBytes, parseCommand } from './manifest-values.ts';
import { buildGraph } from './references.ts';
import { parseHealthcheck, parseStopTimeout } from './healthcheck.ts';
import { parseLogs, parseRestart } from './restart-logs.ts';
import { parseRelease } from './release.ts';
import { isSecretScalar, resolveTags } from './tags.ts';
import { applyTemplate } from './templates.ts';
import { checkUpdateGroups, parseUpdate } from './update-policy.ts';
import { entry, parseYamlTree, text, type LEntry, type LNode } from './yaml-tree.ts';
import type { Manifest, ManifestContainer, ManifestServer } from './model.ts';
import { linesOf } from './value-lines.ts';

/** Create options each provider accepts in a manifest. */
export const PROVIDER_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  ec2: ['size', 'placement', 'bid', 'image', 'security_group'],
  digitalocean: ['size', 'placement', 'image'],
  local: [],
  unmanaged: ['ip'],
};
const SERVER_KEYS = ['provider', 'count', 'containers', 'firewall', 'depends_on'];
const CONTAINER_KEYS = ['image', 'command', 'environment', 'ports', 'volumes', 'count', 'memory', 'max_memory', 'hostname', 'privileged', 'restart', 'logs', 'healthcheck', 'stop_timeout', 'depends_on', 'release', 'release_timeout', 'update'];
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
// dots too, so an ensemble named after web.prod.yml can state that name
const ENSEMBLE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** `env` is where `!env` and `!secret` values come from (hitc's own environment). */
export function parseManifest(file: string, source: string, env: Readonly<Record<string, string | undefined>> = {}): { manifest?: Manifest; issues: ManifestIssue[] } {
  const parsed = parseYamlTree(source);
  const issues = parsed.issues;
  if (!parsed.root) return { issues };
  const root = resolveTags(parsed.root, env, issues);
  findNulBytes(root, issues);
  if (root.kind !== 'map') return { issues: [{ path: '', line: root.line, message: 'a manifest is a mapping of server names to servers' }] };

  const templates = new Map<string, LNode>();
  const templatesEntry = entry(root, 'templates');
  if (templatesEntry) {
    if (templatesEntry.value.kind !== 'map') issues.push({ path: 'templates', line: templatesEntry.line, message: 'templates must be a mapping of names to templates' });
    else for (const t of templatesEntry.value.entries) templates.set(t.key, t.value);
  }

  const name = parseEnsembleName(entry(root, 'name'), issues);
  const servers: ManifestServer[] = [];
  for (const serverEntry of root.entries) {
    if (serverEntry.key === 'templates' || serverEntry.key === 'name') continue;
    servers.push(...parseServer(serverEntry, templates, issues));
  }
  checkUpdateGroups(servers, issues);
  const graph = buildGraph(servers, issues);
  issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return issues.length > 0 ? { issues } : { manifest: { file, servers, graph, ...(name !== undefined ? { name } : {}) }, issues };
}

/** `name: NAME`: the ensemble's identity (its tag on servers, its label on containers). */
function parseEnsembleName(e: LEntry | undefined, issues: ManifestIssue[]): string | undefined {
  if (!e) return undefined;
  const value = text(e.value);
  if (value === undefined || !ENSEMBLE_NAME.test(value)) {
    issues.push({ path: 'name', line: e.line, message: `the ensemble's name must be 1 to 63 letters, digits, _ . or -, starting with a letter or digit (got ${value === undefined ? 'a mapping or list' : JSON.stringify(value)})`, hint: 'name: shop-prod (servers named "name" are not possible: name: is the ensemble\'s name)' });
    return undefined;
  }
  return value;
}

function parseServer(e: LEntry, templates: ReadonlyMap<string, LNode>, issues: ManifestIssue[]): ManifestServer[] {
  const path = e.key;
  if (e.key in Object.prototype) {
    // server names key plain objects downstream (observed servers by name): `constructor` would find Object.prototype's
    issues.push({ path, line: e.line, message: `"${e.key}" cannot be a server name (it is reserved)`, hint: 'rename the server' });
    return [];
  }
  const raw: LNode = e.value.kind === 'scalar' && e.value.value === null ? { kind: 'map' as const, line: e.line, entries: [] } : e.value;
  if (raw.kind !== 'map') {
    issues.push({ path, line: e.line, message: 'a server is a mapping (provider, containers, firewall, …) or empty' });
    return [];
  }
  const spec = applyTemplate(raw, templates, path, issues);
  const providerText = text(entry(spec, 'provider')?.value);
  const provider = providerText ?? (IPV4.test(e.key) ? 'unmanaged' : undefined);
  if (provider === undefined) {
    issues.push({ path: `${path}.provider`, line: e.line, message: 'a server needs a provider', hint: 'provider: ec2 | digitalocean | local, or name the server by its IP address for an unmanaged server' });
  } else if (!Object.hasOwn(PROVIDER_OPTIONS, provider)) {
    const close = suggest(provider, Object.keys(PROVIDER_OPTIONS));
    issues.push({ path: `${path}.provider`, line: entry(spec, 'provider')?.line ?? e.line, message: `unknown provider "${provider}"`, hint: close.length > 0 ? `did you mean ${close.join(' or ')}?` : `providers: ${Object.keys(PROVIDER_OPTIONS).join(', ')}` });
  }
  // own keys only: `provider: constructor` is an unknown provider, not Object.prototype's member
  const known = provider !== undefined && Object.hasOwn(PROVIDER_OPTIONS, provider);
  // with an unknown provider, suggest from every provider's options
  const allowed = [...SERVER_KEYS, ...(known ? (PROVIDER_OPTIONS[provider as string] ?? []) : [...new Set(Object.values(PROVIDER_OPTIONS).flat())])];
  const options: Record<string, string> = {};
  for (const field of spec.entries) {
    if (field.key === 'template') continue;
    if (field.key === 'docker_mount') {
      // the original's key; refused rather than silently ignored
      issues.push({ path: `${path}.docker_mount`, line: field.line, message: 'docker_mount is not supported by hitc', hint: 'mount the device at /var/lib/docker before Docker is set up, e.g. with a bootstrap script (hitc bootstrap)' });
    } else if (!allowed.includes(field.key)) {
      const close = suggest(field.key, allowed);
      issues.push({ path: `${path}.${field.key}`, line: field.line, message: `unknown server field "${field.key}"${known ? ` for provider ${provider}` : ''}`, ...(close.length > 0 ? { hint: `did you mean ${close.join(' or ')}?` } : {}) });
    } else if (known && (PROVIDER_OPTIONS[provider as string] ?? []).includes(field.key)) {
      const v = text(field.value);
      if (v === undefined) issues.push({ path: `${path}.${field.key}`, line: field.line, message: 'must be a single value' });
      else options[field.key] = checkVariables(v, `${path}.${field.key}`, field.line, issues);
    }
  }
  if (provider === 'unmanaged') checkAddress(e.key, path, e.line, issues);
  if (provider === 'unmanaged' && options.ip !== undefined && options.ip !== e.key) {
    issues.push({ path: `${path}.ip`, line: entry(spec, 'ip')?.line ?? e.line, message: `an unmanaged server is named by its address; ip ${options.ip} does not match the name ${e.key}` });
  }
  const count = parseCount(entry(spec, 'count'), path, issues);
  if (count > 1 && provider === 'unmanaged') issues.push({ path: `${path}.count`, line: entry(spec, 'count')?.line ?? e.line, message: 'count needs a provider that can create servers (an unmanaged server is one address)' });
  const dependsOn = stringList(entry(spec, 'depends_on'), `${path}.depends_on`, issues);
  const firewallEntry = entry(spec, 'firewall');
  const containersEntry = entry(spec, 'containers');

  return copyNames(e.key, count).map((name) => {
    const containers = containersEntry ? parseContainers(name, e.key, containersEntry, templates, issues) : [];
    const firewall = firewallEntry ? parseFirewall(firewallEntry, `${e.key}.firewall`, templates, issues) : undefined;
    return { name, line: e.line, provider: provider ?? 'unmanaged', options, containers, ...(firewall ? { firewall } : {}), dependsOn };
  });
}

function parseContainers(server: string, specName: string, e: LEntry, templates: ReadonlyMap<string, LNode>, issues: ManifestIssue[]): ManifestContainer[] {
  const path = `${specName}.containers`;
  if (e.value.kind !== 'map') {
    issues.push({ path, line: e.line, message: 'containers is a mapping of container names to containers' });
    return [];
  }
  // The original's docs show `containers: {template: bar, image: …}`: container fields right
  // under `containers`. hitc reads that as one container named after the server.
  const direct = e.value.entries.some((x) => x.key === 'image' || (x.key === 'template' && x.value.kind === 'scalar'));
  const entries: LEntry[] = direct ? [{ key: specName, line: e.line, value: e.value }] : [...e.value.entries];
  if (server !== specName) return expandContainers(server, specName, entries, templates, [] /* issues reported once, for the first copy */);
  return expandContainers(server, specName, entries, templates, issues);
}

function expandContainers(server: string, specName: string, entries: readonly LEntry[], templates: ReadonlyMap<string, LNode>, issues: ManifestIssue[]): ManifestContainer[] {
  const out: ManifestContainer[] = [];
  for (const c of entries) {
    const path = `${specName}.containers.${c.key}`;
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(c.key)) {
      issues.push({ path, line: c.line, message: `"${c.key}" cannot be a container name`, hint: 'Docker wants at least 2 characters: letters, digits, _ . - (starting with a letter or digit)' });
    }
    if (c.value.kind !== 'map') {
      issues.push({ path, line: c.line, message: 'a container is a mapping with at least an image' });
      continue;
    }
    const spec = applyTemplate(c.value, templates, path, issues);
    for (const field of spec.entries) {
      if (field.key === 'template' || CONTAINER_KEYS.includes(field.key)) continue;
      if (field.key === 'ip') {
        // the original accepted and ignored it; a field that does nothing is refused instead
        issues.push({ path: `${path}.ip`, line: field.line, message: 'a container\'s address is chosen by Docker, not the manifest', hint: `read it elsewhere as \${${server}.containers.${c.key}.ip}` });
        continue;
      }
      const close = suggest(field.key, CONTAINER_KEYS);
      issues.push({ path: `${path}.${field.key}`, line: field.line, message: `unknown container field "${field.key}"`, ...(close.length > 0 ? { hint: `did you mean ${close.join(' or ')}?` } : {}) });
    }
    const image = text(entry(spec, 'image')?.value);
    if (image === undefined) issues.push({ path: `${path}.image`, line: c.line, message: 'a container needs an image' });
    const commandEntry = entry(spec, 'command');
    const command = commandEntry ? parseCommand(commandEntry.value, `${path}.command`, commandEntry.line, issues) : undefined;
    const environment = parseEnvironment(entry(spec, 'environment'), `${path}.environment`, templates, issues);
    const ports = parsePorts(entry(spec, 'ports'), `${path}.ports`, issues);
    const volumes = parseVolumes(entry(spec, 'volumes'), `${path}.volumes`, issues);
    const memEntry = entry(spec, 'memory') ?? entry(spec, 'max_memory');
    const memory = text(memEntry?.value)?.toLowerCase();
    if (memory !== undefined && !/^\d+[bkmg]?$/.test(memory)) issues.push({ path: `${path}.memory`, line: memEntry?.line ?? c.line, message: `memory "${memory}" is not a size`, hint: 'e.g. 512m or 2g' });
    const privEntry = entry(spec, 'privileged');
    const privText = text(privEntry?.value)?.toLowerCase();
    if (privText !== undefined && parseBooleanText(privText) === undefined) issues.push({ path: `${path}.privileged`, line: privEntry?.line ?? c.line, message: 'privileged must be true or false' });
    const hostname = text(entry(spec, 'hostname')?.value);
    if (hostname !== undefined) checkHostname(hostname, `${path}.hostname`, entry(spec, 'hostname')?.line ?? c.line, issues);
    const restart = parseRestart(entry(spec, 'restart'), `${path}.restart`, issues);
    const logs = parseLogs(entry(spec, 'logs'), `${path}.logs`, issues);
    const healthcheck = parseHealthcheck(entry(spec, 'healthcheck'), `${path}.healthcheck`, ports, issues);
    const stopTimeout = parseStopTimeout(entry(spec, 'stop_timeout'), `${path}.stop_timeout`, issues);
    const dependsOn = stringList(entry(spec, 'depends_on'), `${path}.depends_on`, issues);
    const update = parseUpdate(entry(spec, 'update'), c.key, `${path}.update`, issues);
    const count = parseCount(entry(spec, 'count'), path, issues);
    const release = parseRelease(spec, path, issues);
    if (image !== undefined) checkImage(checkVariables(image, `${path}.image`, entry(spec, 'image')?.line ?? c.line, issues), `${path}.image`, entry(spec, 'image')?.line ?? c.line, issues);
    for (const word of command ?? []) checkVariables(word, `${path}.command`, commandEntry?.line ?? c.line, issues);
    const valueLines = linesOf(spec);
    for (const name of copyNames(c.key, count)) {
      out.push({
        server, name, line: c.line, path: `${server}.containers.${name}`, image: image ?? '',
        ...(command !== undefined ? { command } : {}), environment, ports, volumes,
        ...(memory !== undefined ? { memory } : {}), ...(hostname !== undefined ? { hostname } : {}),
        privileged: parseBooleanText(privText ?? '') === true,
        ...(restart !== undefined ? { restart } : {}), ...(logs !== undefined ? { logs } : {}),
        ...(healthcheck !== undefined ? { healthcheck } : {}), ...(stopTimeout !== undefined ? { stopTimeout } : {}), dependsOn, valueLines,
        ...(release !== undefined ? { release } : {}),
        ...(update !== undefined ? { update } : {}),
      });
    }
  }
  return out;
}

function parseEnvironment(e: LEntry | undefined, path: string, templates: ReadonlyMap<string, LNode>, issues: ManifestIssue[]): Record<string, string | Secret> {
  if (!e) return {};
  if (e.value.kind !== 'map') {
    issues.push({ path, line: e.line, message: 'environment is a mapping of NAME: value' });
    return {};
  }
  const env: Record<string, string | Secret> = {};
  for (const v of applyTemplate(e.value, templates, path, issues).entries) {
    if (v.key === 'template' || !checkEnvironmentName(v, path, issues)) continue;
    if (isSecretScalar(v.value)) {
      env[v.key] = v.value.secret;
      continue;
    }
    const value = v.value.kind === 'scalar' ? (v.value.value === null ? '' : String(v.value.value)) : undefined;
    if (value === undefined) {
      issues.push({ path: `${path}.${v.key}`, line: v.line, message: 'environment values are single values' });
      continue;
    }
    env[v.key] = checkVariables(value, `${path}.${v.key}`, v.line, issues);
  }
  return env;
}

function parsePorts(e: LEntry | undefined, path: string, issues: ManifestIssue[]): PortSpec[] {
  if (!e) return [];
  const items = e.value.kind === 'seq' ? e.value.items : [e.value];
  const out: PortSpec[] = [];
  items.forEach((item, i) => {
    const t = text(item);
    try {
      if (t === undefined) throw new Error('not a port spec');
      out.push(parsePortSpec(t, `${path}[${i}]`));
    } catch {
      issues.push({ path: `${path}[${i}]`, line: item.line, message: `invalid port spec "${t ?? '…'}"`, hint: 'CONTAINER[:PUBLIC][/tcp|udp], e.g. 80, 3306:3307, 53/udp' });
    }
  });
  return out;
}

function parseVolumes(e: LEntry | undefined, path: string, issues: ManifestIssue[]): { host: string; container: string }[] {
  if (!e) return [];
  const out: { host: string; container: string }[] = [];
  const add = (host: string, container: string | undefined, line: number, where: string): void => {
    if (!host.startsWith('/') || !container) issues.push({ path: where, line, message: 'volumes map an absolute host path to a container path', hint: '/srv/data: /data' });
    else if (host.includes(':')) issues.push({ path: where, line, message: `the host path "${host}" holds a ":", which docker reads as the end of the host path` });
    else out.push({ host, container: checkVariables(container, where, line, issues) });
  };
  if (e.value.kind === 'map') for (const v of e.value.entries) add(v.key, text(v.value), v.line, `${path}.${v.key}`);
  else if (e.value.kind === 'seq') e.value.items.forEach((item, i) => {
    const t = text(item) ?? '';
    const colon = t.indexOf(':');
    add(colon > 0 ? t.slice(0, colon) : t, colon > 0 ? t.slice(colon + 1) : undefined, item.line, `${path}[${i}]`);
  });
  else issues.push({ path, line: e.line, message: 'volumes map host paths to container paths' });
  return out;
}

// a bound on copies: `count: 1000000` overflowed the stack, a bigger one hung the parser, and
// servers × containers copies multiply the work of checking references
const MAX_COUNT = 100;

function parseCount(e: LEntry | undefined, path: string, issues: ManifestIssue[]): number {
  if (!e) return 1;
  const n = Number(text(e.value));
  if (!Number.isInteger(n) || n < 1 || n > MAX_COUNT) {
    issues.push({ path: `${path}.count`, line: e.line, message: `count must be a whole number from 1 to ${MAX_COUNT}` });
    return 1;
  }
  return n;
}

function stringList(e: LEntry | undefined, path: string, issues: ManifestIssue[]): string[] {
  if (!e) return [];
  const items = e.value.kind === 'seq' ? e.value.items : [e.value];
  const out = items.map((i) => text(i)).filter((t): t is string => t !== undefined);
  if (out.length !== items.length) issues.push({ path, line: e.line, message: 'must be a name or a list of names' });
  return out;
}
