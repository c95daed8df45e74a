// The contract every cloud-server provider implements (ec2, digitalocean, unmanaged, local),
// and that the global tasks and the ensemble use. Providers never print: they report progress
// through the callback and fail with typed errors (UsageError for bad options, ProviderError
// for API failures).

import { HitcError, ExitCode, type ExitCodeValue } from '../core/errors.ts';

/** One server as hitc shows it; `name` has the name prefix stripped. */
export interface Node {
  readonly provider: string;
  readonly id: string;
  readonly name: string;
  readonly size: string | null;
  /** Public address (what hitc connects to); null while stopped or pending. */
  readonly ip: string | null;
  readonly internalIp: string | null;
  /** Provider's own state word: running, pending, stopped, active, … */
  readonly state: string;
  readonly running: boolean;
  /** ISO 8601, or null when the provider doesn't say. */
  readonly created: string | null;
  /** Provider-specific fields shown in `nodes` (placement, image, security_group, region, …). */
  readonly extra: Readonly<Record<string, string>>;
  /** The ensemble that created it (a tag or label), so one it no longer declares is its orphan. */
  readonly ensemble?: string;
}

/** An ensemble's name as every provider can store it in a tag or label. */
export function ensembleTag(ensemble: string): string {
  return ensemble.replace(/[^A-Za-z0-9_-]/g, '_');
}

export interface ProviderEnv {
  /** Cloud-side names are prefix + name (default "HITC-"); listings strip it and skip others. */
  readonly namePrefix: string;
  readonly progress: (message: string) => void;
  readonly signal: AbortSignal;
  /** Work that must finish even after an abort (cancelling spot requests, terminating what
   *  they started): the run waits for it before hitc exits. Without it, nothing waits. */
  readonly keep?: (work: Promise<unknown>) => void;
}

export interface CreateRequest {
  /** One entry per server, already numbered (web, web-1, web-2 …). */
  readonly names: readonly string[];
  /** Provider options after validateCreateOptions (size, image, placement, …). */
  readonly options: Readonly<Record<string, string>>;
  /** The ensemble creating them, recorded on each server (see Node.ensemble). */
  readonly ensemble?: string;
}

export interface PricingTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** What the prices cover (zones, spot vs on-demand), shown under the table. */
  readonly note?: string;
}

export interface Provider {
  readonly name: string;
  /** Options `create` accepts, with their defaults (their keys are the valid option names). */
  readonly createDefaults: Readonly<Record<string, string>>;
  /** Columns of this provider's `nodes` table (Node keys or `extra` keys). */
  readonly nodeColumns: readonly string[];
  /** What is missing for this provider to work, or undefined when it is configured. */
  missingConfig(): string | undefined;
  /** SSH login for this provider's servers. */
  ssh(): { readonly user: string; readonly keyFile?: string };
  listNodes(env: ProviderEnv): Promise<Node[]>;
  /** Merge defaults, check names and values, and spell each value as the provider does (a
   *  UsageError whose `argument` is the option's name on bad input, before anything is made). */
  validateCreateOptions(options: Readonly<Record<string, string>>, env: ProviderEnv): Promise<Record<string, string>>;
  /**
   * The create options an existing server has, in exactly the keys and spelling
   * validateCreateOptions returns, so a wanted server and an observed one compare value by
   * value. A key is left out when the server does not show it (or it is not an observable
   * option, like ec2's bid); an empty validated value means "the provider chooses" (ec2's
   * placement) and matches whatever is observed. No API call: it reads the listed node.
   */
  optionsOf(node: Node): Readonly<Record<string, string>>;
  /** Create the servers and wait until each is running with an address (not yet SSH). */
  createServers(request: CreateRequest, env: ProviderEnv): Promise<Node[]>;
  terminate(node: Node, env: ProviderEnv): Promise<void>;
  reboot?(node: Node, env: ProviderEnv): Promise<void>;
  rename?(node: Node, newName: string, env: ProviderEnv): Promise<void>;
  /** What this provider made for an ensemble besides its servers (local: its network), each
   *  removed by `remove` once the servers are gone; only things labelled with the ensemble's tag. */
  ensembleExtras?(ensemble: string, env: ProviderEnv): Promise<EnsembleExtra[]>;
  /** `options`: provider-specific filters from `pricing:…,key=value` (e.g. ec2's zone). */
  pricing?(sort: string | undefined, env: ProviderEnv, options?: Readonly<Record<string, string>>): Promise<PricingTable>;
}

export interface EnsembleExtra {
  /** e.g. "network hitc-ens-shop" */
  readonly title: string;
  remove(env: ProviderEnv): Promise<void>;
}

/** A provider API call failed (HTTP error, API error code, timeout). */
export class ProviderError extends HitcError {
  readonly kind = 'provider';
  readonly provider: string;
  constructor(provider: string, message: string, options?: { hint?: string; cause?: unknown }) {
    super(`${provider}: ${message}`, options);
    this.provider = provider;
  }
  get cliExitCode(): ExitCodeValue {
    return ExitCode.taskFailed;
  }
}

/** "web-2" → "web": the role a node belongs to (original rule: a trailing -<digits> is a copy number). */
export function roleOf(name: string): string {
  return name.replace(/-\d+$/, '');
}

/** NAME, NAME-1, NAME-2, … for `count` copies (the ensemble's numbering; the original's create gave every copy the same name). */
export function copyNames(name: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => (i === 0 ? name : `${name}-${i}`));
}
