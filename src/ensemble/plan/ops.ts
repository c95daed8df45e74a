// The plan as apply receives it: typed operations, each with an id, the ops it waits for, its
// reason, and everything apply needs to do it. Apply is a dispatcher over `Op['kind']`; it makes
// no decision the plan does not show. Things that need nothing done are notes with reasons.

import type { ResolvedRule } from '../firewall/firewall-rules.ts';
import type { ResolvedContainer } from './resolve-container.ts';
import { quoteArgv } from '../../core/quote.ts';

interface OpBase {
  /** `KIND:TARGET`, unique in a plan: `create-server:web`, `pull-image:web/redis:7`. */
  readonly id: string;
  /** The manifest server it happens on (for a stray: its name). */
  readonly server: string;
  readonly reason: string;
  /** Ids of the ops this one waits for (edges of the plan's graph); a failure skips it. */
  readonly after: readonly string[];
  /** Ids of ops it runs after whether they succeed or not. */
  readonly orderedAfter?: readonly string[];
}

/** A value the plan cannot fill in yet: it needs what the listed things become (thing ids,
 *  see model.ts). Apply fills it in from the world once the ops that make them are done. */
export interface Pending {
  readonly waitsFor: readonly string[];
}

export interface CreateServerOp extends OpBase {
  readonly kind: 'create-server';
  readonly provider: string;
  /** The provider's validated, normalised create options (undefined: pending). */
  readonly options?: Readonly<Record<string, string>>;
  readonly pending?: Pending;
}

export interface ReplaceServerOp extends OpBase {
  readonly kind: 'replace-server';
  readonly provider: string;
  readonly options?: Readonly<Record<string, string>>;
  readonly pending?: Pending;
  /** The server terminated once the new options are known to be valid. */
  readonly node: { readonly id: string; readonly ip: string | null };
}

export interface TerminateServerOp extends OpBase {
  readonly kind: 'terminate-server';
  readonly provider: string;
  readonly node: { readonly id: string; readonly name: string; readonly state: string };
}

export interface SetupDockerOp extends OpBase {
  readonly kind: 'setup-docker';
}

export interface PullImageOp extends OpBase {
  readonly kind: 'pull-image';
  /** The tag to pull (undefined: the container's image is still pending). */
  readonly image?: string;
  /** The container whose image this is (its manifest path), for a pending image. */
  readonly container: string;
  readonly pending?: Pending;
}

export interface ContainerOp extends OpBase {
  /** run: no container of that name (an interrupted replacement's old one gets its name back
   *  first); replace: the old one is moved aside, the new one started, the old one removed. */
  readonly kind: 'run-container' | 'replace-container';
  readonly container: string;
  /** Manifest path (`web.containers.app`), to find the container's values when pending. */
  readonly path: string;
  readonly spec?: ResolvedContainer;
  readonly pending?: Pending;
  /** How the new copy replaces the old one (and when either counts as ready). */
  readonly swap: Swap;
  /** Its place in a rolling update of the container's copies (absent: not rolled). */
  readonly rollout?: Rollout;
}

import type { Swap } from '../../docker/swap-types.ts';

export type { Swap };

/** A copy's batch in a rolling update (update: in the manifest). A batch's ops are orderedAfter
 *  every op of the batch before; apply waits `waitSeconds` more before starting them, and skips
 *  them when more than `maxFail` copy ops of the group have failed by then. */
export interface Rollout {
  /** The container key its copies share (the budget counts the failures of the whole group). */
  readonly group: string;
  /** Its batch, from 1, of `of`. */
  readonly batch: number;
  readonly of: number;
  /** Copies in a full batch, as the manifest's batch: works out for this group. */
  readonly size: number;
  readonly waitSeconds: number;
  readonly maxFail: number;
}

/** A container's release command, once, in a throwaway container made from the new spec of
 *  one copy (`container` on `server`), before every create/replace op of its copies (`before`). */
export interface RunReleaseOp extends OpBase {
  readonly kind: 'run-release';
  /** The copy whose new values it runs with, and its manifest path (to resolve them when pending). */
  readonly container: string;
  readonly path: string;
  /** The command's words: filled in, or while pending as the manifest writes them. */
  readonly command: readonly string[];
  readonly timeoutSeconds: number;
  /** The ids of the container ops that wait for it. */
  readonly before: readonly string[];
  readonly spec?: ResolvedContainer;
  readonly pending?: Pending;
}

export interface RemoveContainerOp extends OpBase {
  readonly kind: 'remove-container';
  readonly container: string;
}

export interface PutFirewallOp extends OpBase {
  readonly kind: 'put-firewall';
  readonly ruleCount: number;
  /** The server has hitc rules already (they are replaced in one transaction). */
  readonly update?: true;
  /** The rules with their sources filled in (undefined: pending). */
  readonly rules?: readonly ResolvedRule[];
  /** The address the transient SSH rule admits, and the hash stored with the rules; known when
   *  the server was observed (a new server's is read when the firewall is applied). */
  readonly transientPeer?: { readonly peer: string; readonly port: string };
  readonly hash?: string;
  readonly pending?: Pending;
}

export interface RemoveFirewallOp extends OpBase {
  readonly kind: 'remove-firewall';
}

export type Op =
  | CreateServerOp | ReplaceServerOp | TerminateServerOp | SetupDockerOp | PullImageOp
  | ContainerOp | RunReleaseOp | RemoveContainerOp | PutFirewallOp | RemoveFirewallOp;

export type OpKind = Op['kind'];

/** A thing of the manifest (or one hitc made) that gets no op, and why. */
export interface Note {
  /** Thing id (model.ts): `server:web`, `container:web/app`, `firewall:web`, `stray:ec2/old`. */
  readonly id: string;
  readonly kind: 'server' | 'container' | 'firewall';
  readonly server: string;
  readonly name: string;
  readonly reason: string;
}

export interface Plan {
  /** The ensemble's name (its tag on servers and label on containers) and where it came from. */
  readonly ensemble: { readonly name: string; readonly from: 'manifest' | 'file name' };
  /** In an order where every op comes after the ops it waits for. */
  readonly ops: readonly Op[];
  /** Things already as the manifest says. */
  readonly unchanged: readonly Note[];
  /** Things that cannot be planned this run (a server that does not answer, and what needs it). */
  readonly unavailable: readonly Note[];
  /** Things another ensemble owns under a name this manifest uses: never adopted, replaced or
   *  removed. */
  readonly conflicts: readonly Note[];
  /** Things this ensemble made that the manifest no longer has, kept (with prune they are ops). */
  readonly orphans: readonly Note[];
  /** What the plan must say loudly (a firewall that admits SSH from nowhere…), by thing id. */
  readonly warnings: readonly { readonly id: string; readonly text: string }[];
}

/** The op's id: its kind and target. */
export function opId(kind: OpKind, target: string): string {
  return `${kind}:${target}`;
}

/** What the op does, in a few words: the plan's line for it and apply's progress title. */
export function opTitle(op: Op): string {
  switch (op.kind) {
    case 'create-server': return `create server ${op.server}`;
    case 'replace-server': return `replace server ${op.server}`;
    case 'terminate-server': return `terminate server ${op.server} (${op.provider})`;
    case 'setup-docker': return `set up Docker on ${op.server}`;
    case 'pull-image': return `pull ${op.image ?? `the image of ${op.container}`} on ${op.server}`;
    case 'run-release': return `run release of ${op.container} on ${op.server}: ${quoteArgv(op.command)} (before ${op.before.length} container change${op.before.length === 1 ? '' : 's'})`;
    case 'run-container': return `create container ${op.container} on ${op.server}`;
    case 'replace-container': return `replace container ${op.container} on ${op.server}`;
    case 'remove-container': return `remove container ${op.container} on ${op.server}`;
    case 'put-firewall': return `apply firewall on ${op.server} (${op.ruleCount} rule${op.ruleCount === 1 ? '' : 's'})`;
    case 'remove-firewall': return `remove firewall on ${op.server}`;
    default: return assertNever(op);
  }
}

export function assertNever(value: never): never {
  throw new Error(`unexpected op ${JSON.stringify(value)}`);
}
