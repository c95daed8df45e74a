// Apply's audit trail: as each op finishes (done or failed) a line goes to the audit log on its
// server. Auditing is how apply runs, not an op of the plan: it never delays, fails or hides an
// op's result. Writes start at once and run beside the ops; a host that refuses one is warned
// about once, after the progress list.

import type { HostSpec } from '../../core/host-spec.ts';
import { localUserAtHost } from '../../core/whoami.ts';
import { DockerHost } from '../../docker/docker-host.ts';
import type { TaskContext } from '../../taskfile/context-types.ts';
import type { Manifest } from '../manifest/model.ts';
import type { Located } from '../observe/observe.ts';
import type { Op } from '../plan/ops.ts';
import { resolveContainer } from '../plan/resolve-container.ts';
import type { World } from '../plan/world.ts';
import { appendAuditCommand, auditLine, type AuditRecord } from './audit-commands.ts';

/** Seconds an audit write may take before it is given up (and warned about). */
const WRITE_TIMEOUT_SEC = 30;

export interface AuditScope {
  readonly c: TaskContext;
  readonly ensemble: string;
  readonly manifest: Manifest;
  readonly world: World;
  /** Where each server is (create/replace update it as they go). */
  readonly located: ReadonlyMap<string, Located>;
}

export class AuditTrail {
  readonly #writes: Promise<void>[] = [];
  /** Why the first refused write on each host failed, by host. */
  readonly #refused = new Map<string, string>();
  readonly #by: string;

  constructor(readonly scope: AuditScope, by = localUserAtHost()) {
    this.#by = by;
  }

  /** Records the op's result on its server, in the background. */
  record(op: Op, result: 'done' | 'failed', error?: unknown): void {
    const spec = auditHost(op, result, this.scope.located);
    if (!spec) return;
    const record: AuditRecord = {
      time: new Date().toISOString(), by: this.#by, ensemble: this.scope.ensemble, op: op.id, kind: op.kind, reason: op.reason,
      ...optional('spec', specOf(op, this.scope)), result,
      ...(result === 'failed' ? { error: error instanceof Error ? error.message : String(error) } : {}),
    };
    const host = new DockerHost(this.scope.c.on(spec));
    const write = host.asRoot(appendAuditCommand(), { stdin: auditLine(record), quiet: true, warn: true, timeout: WRITE_TIMEOUT_SEC })
      .then((r) => (r.ok ? undefined : r.stderr.trim().split('\n').pop() || `exit code ${r.exitCode}`), (e: unknown) => (e as Error).message)
      .then((why) => {
        if (why !== undefined && !this.#refused.has(op.server)) this.#refused.set(op.server, why);
      });
    this.#writes.push(write);
  }

  /** Waits for the writes still going, then warns once per host that refused one. */
  async finish(): Promise<void> {
    await Promise.all(this.#writes);
    if (this.scope.c.signal.aborted) return; // an interrupted run's writes fail with it: not news
    for (const [server, why] of this.#refused) this.scope.c.warn(`could not write the audit log on ${server} (${why}); the changes themselves are as reported`);
  }
}

/** Where the op's line goes: its server, when there is one to write on. A terminated server is
 *  gone, and a create or replace that failed left none (or one half made): they write nothing. */
function auditHost(op: Op, result: 'done' | 'failed', located: ReadonlyMap<string, Located>): HostSpec | undefined {
  if (op.kind === 'terminate-server') return undefined;
  if ((op.kind === 'create-server' || op.kind === 'replace-server') && result === 'failed') return undefined;
  return located.get(op.server)?.spec;
}

/** The spec the op put in place (or, a release, ran with): the container's spec hash (a pending one is resolved again
 *  from the world, as the op did) or the firewall's hash. Never the spec itself: its secret
 *  digests stay on the container. A pending firewall's hash is read on the host, so not here. */
function specOf(op: Op, s: AuditScope): string | undefined {
  if (op.kind === 'put-firewall') return op.hash;
  // a release: the spec of the new values it ran with
  if (op.kind !== 'run-container' && op.kind !== 'replace-container' && op.kind !== 'run-release') return undefined;
  if (op.spec) return op.spec.hash;
  const mc = s.manifest.servers.find((x) => x.name === op.server)?.containers.find((x) => x.name === op.container);
  if (!mc) return undefined;
  try {
    return resolveContainer(mc, (value) => s.world.resolve(value, op.server))?.hash;
  } catch {
    return undefined; // a value it needs failed to resolve: the op's own error says why
  }
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

