// One connection per host per run, shared by every command and task. Handshakes are throttled
// separately from the host pool, resets are retried with jitter, jump hosts are connected once
// and tunnel every host behind them.

import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { ConfigError, ConnectError } from '../core/errors.ts';
import { formatHostSpec, parseHostSpec, type HostSpec } from '../core/host-spec.ts';
import { sharedOnce } from '../core/once.ts';
import { script } from '../core/command.ts';
import { Semaphore } from '../core/semaphore.ts';
import { registerSecret } from '../core/redact.ts';
import { KeyLoader, expandHome } from './keys.ts';
import { checkHostKey, fingerprintSha256, recordHostKey } from './known-hosts.ts';
import { loadSshConfig, resolveHost, type SshConfigSource } from './ssh-config.ts';
import { SshConnection, type SshEndpoint } from './ssh-connection.ts';
import { SSH_DEFAULTS, type SshRunOptions } from './ssh-options.ts';
import { SshTransport } from './ssh-transport.ts';
import type { NestedTarget } from './types.ts';

/** Identity of a hop in a chain: formatted spec plus any host key alias. */
function specKey(spec: HostSpec): string {
  return spec.hostKeyAlias ? `${formatHostSpec(spec)}#${spec.hostKeyAlias}` : formatHostSpec(spec);
}

const RETRYABLE = new Set(['closed']);
const MAX_ATTEMPTS = 3;

export class SshPool {
  readonly #handshakes: Semaphore;
  readonly #keys: KeyLoader;
  readonly #config: () => Promise<SshConfigSource>;
  readonly #connect: (key: string) => Promise<SshConnection>;
  readonly #hops = new Map<string, HostSpec[]>();
  readonly #open = new Set<SshConnection>();
  readonly #passwords = new Map<string, string>();
  readonly #connections = new Map<string, Promise<SshConnection>>();
  readonly #live = new Map<string, SshConnection>();
  #closing = false;

  constructor(readonly options: SshRunOptions) {
    this.#handshakes = new Semaphore(options.connectConcurrency);
    this.#keys = new KeyLoader(options.askSecret);
    this.#config = sharedOnce(() => loadSshConfig(options.sshConfigPath));
    // a failed connection is forgotten, so a later attempt (e.g. waiting for a new server) retries;
    // so is one that dropped (sshd restarted, network blip): the next command connects anew, once
    // per drop. The command that was running when it dropped fails and is not repeated: it may
    // have done part of its work.
    this.#connect = (key) => {
      let p = this.#connections.get(key);
      const live = this.#live.get(key);
      if (p && live?.closed && !this.#closing) {
        this.#live.delete(key);
        this.#open.delete(live);
        p = undefined;
      }
      if (!p) {
        const attempt = this.#connectChain(this.#hops.get(key) as HostSpec[]);
        p = attempt;
        this.#connections.set(key, attempt);
        attempt.then(
          (connection) => this.#live.set(key, connection),
          () => {
            if (this.#connections.get(key) === attempt) this.#connections.delete(key);
          },
        );
      }
      return p;
    };
  }

  /** A transport for a host; it connects on first use. */
  transport(spec: HostSpec): SshTransport {
    return new SshTransport(formatHostSpec(spec), () => this.connection(spec), this.options.sudoPassword, (t) => this.#nested(spec, t), () => this.freshLogin(spec));
  }

  // A host behind `parent` (e.g. a container's sshd behind its Docker host): its chain is the
  // parent's chain plus the target, so it shares the parent's connection as its jump.
  async #nested(parent: HostSpec, target: NestedTarget): Promise<SshTransport> {
    return this.#nestedFromChain(await this.#chainFor(parent, 0), target, formatHostSpec(parent));
  }

  async #nestedFromChain(chain: HostSpec[], target: NestedTarget, parentLabel: string): Promise<SshTransport> {
    const spec: HostSpec = { host: target.host, user: target.user, ...(target.port ? { port: target.port } : {}), ...(target.hostKeyAlias ? { hostKeyAlias: target.hostKeyAlias } : {}) };
    if (target.password !== undefined) this.#passwords.set(specKey(spec), registerSecret(target.password));
    const next = [...chain, spec];
    const label = `${parentLabel}>${formatHostSpec(spec)}`;
    return new SshTransport(label, () => this.#byChain(next), this.options.sudoPassword, (t) => this.#nestedFromChain(next, t, label));
  }

  /** The shared connection for a host (through its jump chain). */
  async connection(spec: HostSpec): Promise<SshConnection> {
    return this.#byChain(await this.#chainFor(spec, 0));
  }

  /** A brand-new login to the host (not the pooled connection): proves that a new SSH session
   *  can still get in, e.g. after a firewall change. */
  async freshLogin(spec: HostSpec): Promise<void> {
    const chain = await this.#chainFor(spec, 0);
    const via = chain.length > 1 ? await this.#byChain(chain.slice(0, -1)) : undefined;
    const endpoint = await this.#endpoint(spec);
    const sock = via ? await via.forward(endpoint.hostname, endpoint.port) : undefined;
    const connection = await SshConnection.connect(endpoint, sock);
    try {
      const result = await connection.exec({ command: script('true') }, { channelTimeoutMs: endpoint.connectTimeoutMs });
      if (result.exitCode !== 0) throw new ConnectError(endpoint.label, 'other', 'a fresh login could not run a command');
    } finally {
      await connection.close();
    }
  }

  async closeAll(): Promise<void> {
    this.#closing = true;
    await Promise.all([...this.#open].map((c) => c.close()));
  }

  // Each prefix of a chain is a connection of its own, so hosts behind one bastion share it.
  #byChain(chain: HostSpec[]): Promise<SshConnection> {
    const key = chain.map(specKey).join(' -> ');
    this.#hops.set(key, chain);
    return this.#connect(key);
  }

  // OpenSSH semantics: the first hop's own ProxyJump applies before it; -g applies only to the
  // selected hosts, never to the hops themselves.
  async #chainFor(spec: HostSpec, depth: number): Promise<HostSpec[]> {
    if (depth > 8) {
      throw new ConfigError(`ProxyJump chain for ${formatHostSpec(spec)} is longer than 8 hops (a loop?)`, { hint: 'check ProxyJump in your ssh config' });
    }
    const config = await this.#config();
    const resolved = resolveHost(config, spec.host);
    const jumps = resolved.proxyJump.length > 0 ? resolved.proxyJump : depth === 0 && this.options.gateway ? this.options.gateway.split(',') : [];
    const chain: HostSpec[] = [];
    for (const [i, jump] of jumps.entries()) {
      const hop = parseHostSpec(jump);
      if (i === 0) chain.push(...(await this.#chainFor(hop, depth + 1)));
      else chain.push(hop);
    }
    chain.push(spec);
    return chain;
  }

  async #connectChain(chain: HostSpec[]): Promise<SshConnection> {
    const target = chain[chain.length - 1] as HostSpec;
    const via = chain.length > 1 ? await this.#byChain(chain.slice(0, -1)) : undefined;
    const endpoint = await this.#endpoint(target);
    for (let attempt = 1; ; attempt++) {
      if (this.#closing) throw new ConnectError(endpoint.label, 'closed', 'the run was interrupted');
      try {
        const connection = await this.#handshakes.use(async () => {
          const sock = via ? await via.forward(endpoint.hostname, endpoint.port).catch((err: Error) => {
            throw new ConnectError(endpoint.label, 'unreachable', `jump host ${via.endpoint.label} could not reach ${endpoint.hostname}:${endpoint.port}: ${err.message}`, {
              hint: 'check that the jump host can reach the target',
            });
          }) : undefined;
          return SshConnection.connect(endpoint, sock);
        });
        this.#open.add(connection);
        if (this.#closing) void connection.close();
        return connection;
      } catch (error) {
        if (!(error instanceof ConnectError) || !RETRYABLE.has(error.failure) || attempt >= MAX_ATTEMPTS) throw error;
        await new Promise((r) => setTimeout(r, 200 * attempt + Math.random() * 300));
      }
    }
  }

  async #endpoint(spec: HostSpec): Promise<SshEndpoint> {
    const config = await this.#config();
    const resolved = resolveHost(config, spec.host, { localUser: userInfo().username, home: homedir() });
    const user = spec.user ?? resolved.user ?? this.options.user ?? userInfo().username;
    const port = spec.port ?? resolved.port ?? this.options.port ?? 22;
    const label = formatHostSpec(spec);
    const knownUser = resolved.userKnownHostsFiles.length > 0
      ? resolved.userKnownHostsFiles.map(expandHome)
      : [join(homedir(), '.ssh', 'known_hosts'), join(homedir(), '.ssh', 'known_hosts2')];
    const strict = this.options.strictHostKeys || resolved.strictHostKeyChecking === 'yes';
    const files = { user: knownUser, global: ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'] };
    const hostname = resolved.hostname;
    const keyName = spec.hostKeyAlias ?? hostname;
    const password = this.#passwords.get(specKey(spec));
    const keyAuth = await this.#keys.attempts({
      explicit: spec.identityFile ? [spec.identityFile, ...this.options.identities] : this.options.identities,
      fromConfig: resolved.identityFiles,
      identitiesOnly: resolved.identitiesOnly ?? false,
      ...(resolved.identityAgent ? { identityAgent: resolved.identityAgent } : {}),
    });
    const auth = password === undefined ? keyAuth : [{ type: 'password' as const, password, source: 'password' }, ...keyAuth];
    const agentSock = this.options.forwardAgent || resolved.forwardAgent ? process.env.SSH_AUTH_SOCK : undefined;
    const connectTimeoutMs =
      this.options.connectTimeoutMs ?? (resolved.connectTimeoutSec ? resolved.connectTimeoutSec * 1000 : SSH_DEFAULTS.connectTimeoutMs);
    return {
      label,
      hostname,
      port,
      user,
      auth,
      connectTimeoutMs,
      keepaliveIntervalMs: (resolved.serverAliveIntervalSec ?? 0) * 1000 || this.options.keepaliveIntervalMs,
      keepaliveCountMax: resolved.serverAliveCountMax ?? this.options.keepaliveCountMax,
      ...(agentSock ? { forwardAgent: agentSock } : {}),
      verifyHostKey: async (type, base64) => {
        const verdict = await checkHostKey(files, keyName, port, type, base64);
        if (verdict.status === 'match') return undefined;
        if (verdict.status === 'mismatch') {
          return new ConnectError(label, 'host-key-changed', `host key for ${hostname}:${port} has CHANGED (now ${type} ${fingerprintSha256(base64)}); refusing to connect`, {
            hint: `if the server was really reinstalled, remove line ${verdict.line} of ${verdict.file} (ssh-keygen -R ${hostname})`,
          });
        }
        if (strict) {
          return new ConnectError(label, 'host-key-unknown', `host key for ${hostname}:${port} is not in known_hosts (${type} ${fingerprintSha256(base64)}); strict checking refuses it`, {
            hint: `verify the fingerprint, then add it: ssh-keyscan -p ${port} ${hostname} >> ${knownUser[0]}`,
          });
        }
        await recordHostKey(knownUser[0] as string, keyName, port, type, base64);
        return undefined;
      },
    };
  }
}
