// The plan as plain data: what `ensemble.plan --json` prints and what a saved plan file holds
// (its shape is schema/plan.schema.json). Deterministic: the same plan always gives the same
// JSON text, so two plans can be compared as text. Secret-free by construction: a container's
// docker run spec (where Secret values live) is never copied, only its normalised spec, and
// the secret digests in that are replaced by the mask (a digest is a guessing oracle for a
// weak secret, and a file can be shared far more widely than the hosts).

import { redactDeep } from '../../core/redact.ts';
import { SECRET_MASK } from '../../core/secret.ts';
import type { ResolvedRule } from '../firewall/firewall-rules.ts';
import type { NormalSpec } from './container-spec-hash.ts';
import type { HealthCheck } from '../manifest/healthcheck.ts';
import { assertNever, opTitle, type Note, type Op, type Pending, type Plan, type Swap } from './ops.ts';
import type { ResolvedContainer } from './resolve-container.ts';

export interface PendingJson {
  readonly waitsFor: readonly string[];
}

/** A container's normalised spec (secret values shown as the mask) and its hash label. */
export interface ContainerSpecJson {
  readonly normal: NormalSpec;
  readonly hash: string;
}

interface OpJsonBase {
  readonly id: string;
  /** opTitle: the plan's line for the op. */
  readonly title: string;
  readonly server: string;
  readonly reason: string;
  readonly after: readonly string[];
}

export type OpJson = OpJsonBase & (
  | { readonly kind: 'create-server'; readonly provider: string; readonly options?: Readonly<Record<string, string>>; readonly pending?: PendingJson }
  | { readonly kind: 'replace-server'; readonly provider: string; readonly options?: Readonly<Record<string, string>>; readonly pending?: PendingJson; readonly node: { readonly id: string; readonly ip: string | null } }
  | { readonly kind: 'terminate-server'; readonly provider: string; readonly node: { readonly id: string; readonly name: string; readonly state: string } }
  | { readonly kind: 'setup-docker' }
  | { readonly kind: 'pull-image'; readonly image?: string; readonly container: string; readonly pending?: PendingJson }
  | { readonly kind: 'run-container' | 'replace-container'; readonly container: string; readonly path: string; readonly spec?: ContainerSpecJson; readonly pending?: PendingJson; readonly swap: Swap }
  | { readonly kind: 'remove-container'; readonly container: string }
  | { readonly kind: 'put-firewall'; readonly ruleCount: number; readonly update?: true; readonly rules?: readonly ResolvedRule[]; readonly transientPeer?: { readonly peer: string; readonly port: string }; readonly hash?: string; readonly pending?: PendingJson }
  | { readonly kind: 'remove-firewall' }
);

/** A note is plain data already. */
export type NoteJson = Note;

export interface PlanJson extends Omit<Plan, 'ops'> {
  readonly ops: readonly OpJson[];
}

export function planToJson(plan: Plan): PlanJson {
  const json: PlanJson = {
    ensemble: { name: plan.ensemble.name, from: plan.ensemble.from },
    ops: plan.ops.map(opToJson),
    unchanged: plan.unchanged.map(noteToJson),
    unavailable: plan.unavailable.map(noteToJson),
    conflicts: plan.conflicts.map(noteToJson),
    orphans: plan.orphans.map(noteToJson),
    warnings: plan.warnings.map((w) => ({ id: w.id, text: w.text })),
  };
  // a registered secret that reached a reason or a value some other way is masked too
  return redactDeep(json);
}

function opToJson(op: Op): OpJson {
  // `kind` second in the text: each case below sets it again, typed, without moving it
  const base = { id: op.id, kind: op.kind, title: opTitle(op), server: op.server, reason: op.reason, after: [...op.after], ...(op.orderedAfter?.length ? { orderedAfter: [...op.orderedAfter] } : {}) };
  switch (op.kind) {
    case 'create-server':
      return { ...base, kind: op.kind, provider: op.provider, ...options(op.options), ...pending(op.pending) };
    case 'replace-server':
      return { ...base, kind: op.kind, provider: op.provider, ...options(op.options), ...pending(op.pending), node: { id: op.node.id, ip: op.node.ip } };
    case 'terminate-server':
      return { ...base, kind: op.kind, provider: op.provider, node: { id: op.node.id, name: op.node.name, state: op.node.state } };
    case 'setup-docker':
    case 'remove-firewall':
      return { ...base, kind: op.kind };
    case 'pull-image':
      return { ...base, kind: op.kind, ...(op.image !== undefined ? { image: op.image } : {}), container: op.container, ...pending(op.pending) };
    case 'run-container':
    case 'replace-container':
      return { ...base, kind: op.kind, container: op.container, path: op.path, ...(op.spec ? { spec: specToJson(op.spec) } : {}), ...pending(op.pending), swap: swapToJson(op.swap) };
    case 'remove-container':
      return { ...base, kind: op.kind, container: op.container };
    case 'put-firewall':
      return {
        ...base, kind: op.kind, ruleCount: op.ruleCount, ...(op.update ? { update: true as const } : {}),
        ...(op.rules ? { rules: op.rules.map((r) => ({ port: r.port, protocol: r.protocol, sources: [...r.sources] })) } : {}),
        ...(op.transientPeer ? { transientPeer: { peer: op.transientPeer.peer, port: op.transientPeer.port } } : {}),
        ...(op.hash !== undefined ? { hash: op.hash } : {}),
        ...pending(op.pending),
      };
    default:
      return assertNever(op);
  }
}

/** Only the normalised spec and its hash: `run` holds the Secret objects and `argv` is in
 *  `normal.command` already. */
function specToJson(spec: ResolvedContainer): ContainerSpecJson {
  const n = spec.normal;
  const normal: NormalSpec = {
    image: n.image,
    command: n.command,
    // normalSpec keeps Secrets out of this map; a value that is not a string is masked anyway
    environment: sortedRecord(n.environment, (v) => (typeof v === 'string' ? v : SECRET_MASK)),
    ports: [...n.ports],
    volumes: [...n.volumes],
    memory: n.memory,
    hostname: n.hostname,
    privileged: n.privileged,
    restart: n.restart,
    logs: { maxSize: n.logs.maxSize, maxFiles: n.logs.maxFiles },
    ...(n.secrets ? { secrets: sortedRecord(n.secrets, () => SECRET_MASK) } : {}),
  };
  return { normal, hash: spec.hash };
}

/** Fields in one fixed order, whatever order the manifest gave them in. */
function swapToJson(w: Swap): Swap {
  const h = w.health;
  const health: HealthCheck | undefined = !h ? undefined
    : h.kind === 'http' ? { kind: h.kind, path: h.path, port: h.port, ...(h.status !== undefined ? { status: h.status } : {}), interval: h.interval, timeout: h.timeout, retries: h.retries }
    : h.kind === 'tcp' ? { kind: h.kind, port: h.port, interval: h.interval, timeout: h.timeout, retries: h.retries }
    : { kind: h.kind, command: [...h.command], interval: h.interval, timeout: h.timeout, retries: h.retries };
  return { order: w.order, standIn: w.standIn, ...(health ? { health } : {}), stopTimeout: w.stopTimeout };
}

function noteToJson(n: Note): NoteJson {
  return { id: n.id, kind: n.kind, server: n.server, name: n.name, reason: n.reason };
}

function options(o: Readonly<Record<string, string>> | undefined): { options?: Record<string, string> } {
  return o ? { options: sortedRecord(o, (v) => v) } : {};
}

function pending(p: Pending | undefined): { pending?: PendingJson } {
  return p ? { pending: { waitsFor: [...p.waitsFor] } } : {};
}

/** Keys in code-point order, so the text does not depend on the order values were added in. */
function sortedRecord<T>(record: Readonly<Record<string, T>>, value: (v: T) => string): Record<string, string> {
  return Object.fromEntries(Object.keys(record).sort().map((k) => [k, value(record[k] as T)]));
}
