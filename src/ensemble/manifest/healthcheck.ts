// `healthcheck:` and `stop_timeout:` of a container: when a new copy counts as ready to take
// the traffic during a swap, and how long the old one may finish its requests. Literal values
// (no variables). Neither is part of the spec hash: changing how readiness is judged, or the
// drain window, changes nothing about the container that runs, so it replaces nothing.

import type { ManifestIssue } from '../../core/errors.ts';
import { suggest } from '../../core/suggest.ts';
import type { PortSpec } from '../../docker/port-spec.ts';
import { parseCommand } from './manifest-values.ts';
import { text, type LEntry } from './yaml-tree.ts';
import { DEFAULT_STOP_TIMEOUT, HEALTH_DEFAULTS, type HealthCheck, type HealthProbe, type HealthTiming } from '../../docker/swap-types.ts';

export { DEFAULT_STOP_TIMEOUT, HEALTH_DEFAULTS, type HealthCheck, type HealthProbe, type HealthTiming } from '../../docker/swap-types.ts';

const PROBES = ['http', 'tcp', 'cmd'];
const KEYS = [...PROBES, 'port', 'status', 'interval', 'timeout', 'retries'];
const SECONDS = /^(\d{1,4}(?:\.\d{1,3})?)s?$/;

/** `healthcheck: {http: /healthz, port: 8080, status: 200, interval: 1, timeout: 3, retries: 30}`,
 *  or `tcp: PORT`, or `cmd: COMMAND`; `ports` gives http its default port (the first published
 *  TCP port's container side). */
export function parseHealthcheck(e: LEntry | undefined, path: string, ports: readonly PortSpec[], issues: ManifestIssue[]): HealthCheck | undefined {
  if (!e) return undefined;
  const hint = 'healthcheck: {http: /healthz} (or tcp: PORT, or cmd: COMMAND), with optional port, status, interval, timeout, retries';
  if (e.value.kind !== 'map') {
    issues.push({ path, line: e.line, message: 'healthcheck is a mapping with one of http, tcp or cmd', hint });
    return undefined;
  }
  const before = issues.length;
  const fields = new Map(e.value.entries.map((f) => [f.key, f]));
  for (const f of e.value.entries) {
    if (KEYS.includes(f.key)) continue;
    const close = suggest(f.key, KEYS);
    issues.push({ path: `${path}.${f.key}`, line: f.line, message: `unknown healthcheck field "${f.key}"`, hint: close.length > 0 ? `did you mean ${close.join(' or ')}?` : hint });
  }
  const probes = PROBES.filter((k) => fields.has(k));
  if (probes.length !== 1) {
    issues.push({ path, line: e.line, message: probes.length === 0 ? 'healthcheck needs one of http, tcp or cmd' : `healthcheck has ${probes.join(' and ')}: choose one`, hint });
    return undefined;
  }
  const kind = probes[0] as 'http' | 'tcp' | 'cmd';
  const at = (key: string): LEntry => fields.get(key) as LEntry;
  for (const key of ['port', 'status']) {
    if (fields.has(key) && kind !== 'http') issues.push({ path: `${path}.${key}`, line: at(key).line, message: `${key} belongs to an http health check`, hint: kind === 'tcp' ? 'tcp: PORT names its port itself' : 'cmd runs inside the container' });
  }
  const timing: HealthTiming = {
    interval: seconds(fields.get('interval'), `${path}.interval`, HEALTH_DEFAULTS.interval, issues),
    timeout: seconds(fields.get('timeout'), `${path}.timeout`, HEALTH_DEFAULTS.timeout, issues),
    retries: whole(fields.get('retries'), `${path}.retries`, HEALTH_DEFAULTS.retries, 1, 1000, 'retries: 30 (probes before the new copy counts as unhealthy)', issues),
  };
  let probe: HealthProbe | undefined;
  if (kind === 'http') {
    const target = text(at('http').value);
    if (target === undefined || !/^\/[\x21-\x7e]*$/.test(target)) {
      issues.push({ path: `${path}.http`, line: at('http').line, message: `http ${target === undefined ? 'must be a single value' : `"${target}" is not a URL path`}`, hint: 'a path from the root, without spaces: http: /healthz' });
    }
    const published = ports.find((p) => p.protocol === 'tcp')?.container;
    const port = fields.has('port') ? whole(at('port'), `${path}.port`, 0, 1, 65535, 'the container port to probe, e.g. port: 8080', issues) : published;
    if (port === undefined) issues.push({ path, line: e.line, message: 'an http health check needs a port: the container publishes no TCP port', hint: 'add port: CONTAINER_PORT to the healthcheck' });
    const status = fields.has('status') ? whole(at('status'), `${path}.status`, 0, 100, 599, 'an HTTP status, e.g. status: 200 (absent: any 2xx or 3xx)', issues) : undefined;
    if (target !== undefined && port !== undefined) probe = { kind, path: target, port, ...(status !== undefined ? { status } : {}) };
  } else if (kind === 'tcp') {
    probe = { kind, port: whole(at('tcp'), `${path}.tcp`, 0, 1, 65535, 'the container port to connect to, e.g. tcp: 5432', issues) };
  } else {
    const command = parseCommand(at('cmd').value, `${path}.cmd`, at('cmd').line, issues);
    if (command === undefined || command.length === 0) issues.push({ path: `${path}.cmd`, line: at('cmd').line, message: 'cmd needs a command', hint: 'cmd: pg_isready -U postgres (run inside the container, no shell; exit 0 = healthy)' });
    else probe = { kind, command };
  }
  return probe && issues.length === before ? { ...probe, ...timing } : undefined;
}

/** `stop_timeout: SECONDS`: how long `docker stop` waits for the old copy (whole seconds). */
export function parseStopTimeout(e: LEntry | undefined, path: string, issues: ManifestIssue[]): number | undefined {
  return e ? whole(e, path, DEFAULT_STOP_TIMEOUT, 0, 3600, 'stop_timeout: 10 (seconds the old container gets to finish its requests)', issues) : undefined;
}

function seconds(e: LEntry | undefined, path: string, fallback: number, issues: ManifestIssue[]): number {
  if (!e) return fallback;
  const value = text(e.value);
  const m = value === undefined ? null : SECONDS.exec(value);
  const n = m ? Number(m[1]) : NaN;
  if (n > 0 && n <= 3600) return n;
  issues.push({ path, line: e.line, message: `${path.split('.').pop()} ${value === undefined ? 'must be a single value' : `"${value}" is not a number of seconds`}`, hint: 'seconds, more than 0 and at most 3600, e.g. 1, 0.5 or 3s' });
  return fallback;
}

function whole(e: LEntry | undefined, path: string, fallback: number, min: number, max: number, hint: string, issues: ManifestIssue[]): number {
  if (!e) return fallback;
  const value = text(e.value);
  const n = Number(value);
  if (value !== undefined && /^\d+$/.test(value) && n >= min && n <= max) return n;
  issues.push({ path, line: e.line, message: `${path.split('.').pop()} must be a whole number from ${min} to ${max}${value === undefined ? '' : ` (got "${value}")`}`, hint });
  return fallback;
}

/** The health check in a few words, for the plan: `http /healthz on 8080`. */
export function describeHealth(h: HealthProbe | undefined): string {
  if (!h) return "the image's HEALTHCHECK (up to 2 min), else running for 2 s";
  if (h.kind === 'http') return `http ${h.path} on ${h.port}${h.status !== undefined ? ` → ${h.status}` : ''}`;
  return h.kind === 'tcp' ? `tcp ${h.port}` : `cmd ${h.command.join(' ')}`;
}
