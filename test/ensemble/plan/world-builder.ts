// A small builder of observed worlds for planner tests: say which servers exist and what is on
// them ("deployed as the manifest says", or changed by hand) instead of copying observed.json.
import assert from 'node:assert/strict';
import { parseManifest } from '../../../src/ensemble/manifest/parse-manifest.ts';
import type { Manifest } from '../../../src/ensemble/manifest/model.ts';
import { LABELS, type ObservedServer, type ObservedWorld } from '../../../src/ensemble/observe/observed.ts';
import { firewallEnsembleTag } from '../../../src/ensemble/firewall/firewall-commands.ts';
import { firewallHash, transientPeer } from '../../../src/ensemble/firewall/firewall-rules.ts';
import { resolveContainer } from '../../../src/ensemble/plan/resolve-container.ts';
import { specHash, type NormalSpec } from '../../../src/ensemble/plan/container-spec-hash.ts';
import { World } from '../../../src/ensemble/plan/world.ts';
import type { ContainerInfo } from '../../../src/docker/inspect.ts';
import { imageKey } from '../../../src/docker/inspect.ts';

export const OPERATOR = { peer: '198.51.100.7', port: '22' };

export function manifestOf(yaml: string, env: Record<string, string> = {}): Manifest {
  const parsed = parseManifest('manifest.yml', yaml, env);
  assert.deepEqual(parsed.issues, []);
  return parsed.manifest as Manifest;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class WorldBuilder {
  readonly #manifest: Manifest;
  readonly #ensemble: string;
  readonly #servers: Record<string, Mutable<ObservedServer>> = {};
  readonly #extra: Mutable<Omit<ObservedWorld, 'servers'>> = {};

  constructor(manifest: Manifest, ensemble = 'web-redis') {
    this.#manifest = manifest;
    this.#ensemble = ensemble;
  }

  /** The server exists (and answers), with Docker unless `docker: false`. */
  server(name: string, facts: { options?: Record<string, string>; docker?: boolean; id?: string } = {}): this {
    const spec = this.#manifest.servers.find((s) => s.name === name);
    const n = Object.keys(this.#servers).length + 1;
    const unmanaged = spec?.provider === 'unmanaged';
    this.#servers[name] = {
      name, provider: spec?.provider ?? 'ec2', ...(unmanaged ? {} : { id: facts.id ?? `i-${name}` }),
      ip: unmanaged ? name : `54.0.0.${n}`, internalIp: unmanaged ? name : `10.0.0.${n}`,
      options: facts.options ?? { ...spec?.options }, dockerInstalled: facts.docker ?? true, containers: [], imageIds: {},
      ...(spec?.firewall ? { sshPath: OPERATOR } : {}),
    };
    return this;
  }

  /** Every server of the manifest exists, with everything on it as the manifest says. */
  deployed(): this {
    for (const s of this.#manifest.servers) if (!this.#servers[s.name]) this.server(s.name);
    for (const s of this.#manifest.servers) for (const c of s.containers) this.container(s.name, c.name);
    for (const s of this.#manifest.servers) if (s.firewall) this.firewall(s.name);
    return this;
  }

  /** A container as the manifest says (resolved against the world so far), or changed;
   *  `olderHitc`: labelled as a hitc before restart policies and log rotation labelled it. */
  container(server: string, name: string, change: { environment?: Record<string, string>; running?: boolean; rename?: string; ensemble?: string; imageId?: string; olderHitc?: boolean; restartPolicy?: string } = {}): this {
    const obs = this.#servers[server] as Mutable<ObservedServer>;
    const mc = this.#manifest.servers.find((s) => s.name === server)?.containers.find((c) => c.name === name);
    assert.ok(mc, `${server}/${name} is not in the manifest`);
    const world = new World(this.#manifest, this.build());
    const wanted = resolveContainer({ ...mc, environment: { ...mc.environment, ...change.environment } }, (v) => world.resolve(v, server));
    assert.ok(wanted, `${server}/${name}: values not known`);
    const imageId = change.imageId ?? `sha256:${wanted.run.image.length}`;
    const { restart: _r, logs: _l, ...older } = wanted.normal;
    const label = change.olderHitc ? { hash: specHash(older as NormalSpec), spec: older } : { hash: wanted.hash, spec: wanted.normal };
    const info: ContainerInfo = {
      id: `${name}0123456789abcdef`, name: change.rename ?? name, image: wanted.run.image, imageId, ip: `172.17.0.${obs.containers.length + 2}`,
      running: change.running ?? true, state: change.running === false ? 'exited' : 'running', created: '2026-11-22T05:00:00Z', environment: {}, command: [],
      labels: { [LABELS.ensemble]: change.ensemble ?? this.#ensemble, [LABELS.specHash]: label.hash, [LABELS.spec]: JSON.stringify(label.spec) }, ports: [],
      ...(change.restartPolicy !== undefined ? { restartPolicy: change.restartPolicy } : {}),
    };
    obs.containers = [...obs.containers, info];
    obs.imageIds = { ...obs.imageIds, [imageKey(wanted.run.image)]: imageId };
    return this;
  }

  /** hitc's firewall as the manifest says, applied from the operator's address. */
  firewall(server: string, change: { hooked?: boolean; pending?: boolean; ensemble?: string } = {}): this {
    const obs = this.#servers[server] as Mutable<ObservedServer>;
    const rules = this.#manifest.servers.find((s) => s.name === server)?.firewall?.rules ?? [];
    const resolved = new World(this.#manifest, this.build()).resolveRules(rules, server);
    assert.ok(resolved, `${server}.firewall: addresses not known`);
    const peer = transientPeer(resolved, OPERATOR)?.peer;
    obs.firewall = {
      specHash: firewallHash(resolved, peer), ensemble: firewallEnsembleTag(change.ensemble ?? this.#ensemble), hooked: change.hooked ?? true,
      ...(peer ? { peer } : {}), ...(change.pending ? { pending: true } : {}),
    };
    return this;
  }

  unavailable(server: string, why: string): this {
    this.#extra.unavailable = { ...this.#extra.unavailable, [server]: why };
    return this;
  }

  conflict(server: string, why: string): this {
    this.#extra.conflicts = { ...this.#extra.conflicts, [server]: why };
    return this;
  }

  stray(provider: string, name: string, state = 'running'): this {
    const n = (this.#extra.strays ?? []).length;
    this.#extra.strays = [...(this.#extra.strays ?? []), { id: `stray:${provider}/${name}`, nodeId: `i-${name}${n > 0 ? `-${n}` : ''}`, name, provider, state }];
    return this;
  }

  build(): ObservedWorld {
    return { servers: structuredClone(this.#servers), ...structuredClone(this.#extra) };
  }
}
