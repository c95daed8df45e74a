// Plans, observed worlds and saved plans written by hand for the saved-plan tests (the planner
// is not needed to make them): one plan with every op kind and every note list.

import { secret } from '../../../src/core/secret.ts';
import { normalSpec, specHash } from '../../../src/ensemble/plan/container-spec-hash.ts';
import type { Op, Plan } from '../../../src/ensemble/plan/ops.ts';
import type { ResolvedContainer } from '../../../src/ensemble/plan/resolve-container.ts';
import type { ObservedWorld } from '../../../src/ensemble/observe/observed.ts';
import type { ContainerInfo } from '../../../src/docker/inspect.ts';

export const SECRET_VALUE = 'hunter2-is-a-bad-password';

/** A container spec with a plain and a secret environment value. */
export function appSpec(image = 'nginx:1.27'): ResolvedContainer {
  const environment = { MODE: 'prod', TOKEN: secret(SECRET_VALUE, 'TOKEN') };
  const ports = [{ container: 80, public: 8080, protocol: 'tcp' as const }];
  const volumes = [{ host: '/srv/app', container: '/data' }];
  const logs = { maxSize: '10m', maxFiles: 3 };
  const normal = normalSpec({ image, environment, ports, volumes, privileged: false, restart: 'unless-stopped', logs, argv: ['nginx', '-g', 'daemon off;'], memory: '256m' });
  return { normal, hash: specHash(normal), run: { image, name: 'app', environment, ports, volumes, memory: '256m', restart: 'unless-stopped', logs }, argv: ['nginx', '-g', 'daemon off;'] };
}

const note = (id: string, reason: string) => {
  const [kind, rest = ''] = id.split(':') as ['server' | 'container' | 'firewall', string];
  const [server = rest, name = rest] = kind === 'container' ? rest.split('/') : [rest, rest];
  return { id, kind, server, name, reason };
};

/** Every op kind once (and a pending container), every note list non-empty. */
export function everyKindPlan(spec: ResolvedContainer = appSpec()): Plan {
  const ops: Op[] = [
    { id: 'create-server:db', kind: 'create-server', server: 'db', reason: 'no ec2 server named db', after: [], provider: 'ec2', options: { size: 't3.small', image: 'ubuntu-24.04' } },
    { id: 'create-server:cache', kind: 'create-server', server: 'cache', reason: 'no ec2 server named cache', after: [], provider: 'ec2', pending: { waitsFor: ['server:db'] } },
    { id: 'replace-server:web', kind: 'replace-server', server: 'web', reason: 'size t3.micro → t3.small', after: [], provider: 'ec2', options: { size: 't3.small' }, node: { id: 'i-0abc', ip: '203.0.113.5' } },
    { id: 'terminate-server:old', kind: 'terminate-server', server: 'old', reason: 'the manifest no longer has it', after: [], provider: 'ec2', node: { id: 'i-0old', name: 'old', state: 'running' } },
    { id: 'setup-docker:db', kind: 'setup-docker', server: 'db', reason: 'Docker is not installed', after: ['create-server:db'] },
    { id: 'pull-image:db/postgres:16', kind: 'pull-image', server: 'db', reason: 'not on the server', after: ['setup-docker:db'], image: 'postgres:16', container: 'pg' },
    { id: 'pull-image:cache/app', kind: 'pull-image', server: 'cache', reason: 'image waits for db', after: ['create-server:cache'], container: 'app', pending: { waitsFor: ['server:db'] } },
    { id: 'run-container:db/app', kind: 'run-container', server: 'db', reason: 'no container named app', after: ['pull-image:db/postgres:16'], container: 'app', path: 'db.containers.app', spec, swap: { order: 'start-first', standIn: true, stopTimeout: 10 } },
    { id: 'run-container:cache/app', kind: 'run-container', server: 'cache', reason: 'no container named app', after: ['pull-image:cache/app'], container: 'app', path: 'cache.containers.app', pending: { waitsFor: ['server:db'] }, swap: { order: 'stop-first', standIn: false, stopTimeout: 10 } },
    { id: 'replace-container:web/app', kind: 'replace-container', server: 'web', reason: 'image nginx:1.26 → nginx:1.27', after: [], container: 'app', path: 'web.containers.app', spec, swap: { order: 'start-first', standIn: true, health: { kind: 'http', path: '/healthz', port: 80, interval: 1, timeout: 3, retries: 30 }, stopTimeout: 30 } },
    { id: 'remove-container:web/gone', kind: 'remove-container', server: 'web', reason: 'not in the manifest any more', after: [], container: 'gone' },
    { id: 'put-firewall:web', kind: 'put-firewall', server: 'web', reason: 'rules changed', after: [], ruleCount: 2, rules: [{ port: 22, protocol: 'tcp', sources: ['198.51.100.0/24'] }, { port: '*', protocol: '*', sources: ['*'] }], transientPeer: { peer: '192.0.2.7', port: '22' }, hash: '0123456789abcdef' },
    { id: 'put-firewall:db', kind: 'put-firewall', server: 'db', reason: 'no hitc firewall on the server', after: ['create-server:db'], ruleCount: 1, pending: { waitsFor: ['server:db'] } },
    { id: 'remove-firewall:cache', kind: 'remove-firewall', server: 'cache', reason: 'the manifest has no firewall for it any more', after: [] },
  ];
  return {
    ensemble: { name: 'shop', from: 'manifest' },
    ops,
    unchanged: [note('server:web', 'exists (ec2, 203.0.113.5)')],
    unavailable: [note('server:far', 'connect timed out')],
    conflicts: [note('container:web/admin', 'owned by ensemble other')],
    orphans: [note('firewall:cache', 'the manifest has no firewall for it any more')],
    warnings: [{ id: 'firewall:web', text: 'web.firewall admits SSH (port 22) from no listed source' }],
  };
}

export function container(name: string, labels: Record<string, string> = {}, extra: Partial<ContainerInfo> = {}): ContainerInfo {
  return {
    id: `id-${name}`, name, image: 'nginx:1.27', imageId: 'sha256:aaa', ip: '172.17.0.2', running: true, state: 'running',
    created: '2026-12-01T10:00:00Z', environment: { TOKEN: SECRET_VALUE }, command: ['nginx'], labels, ports: [], ...extra,
  };
}

export function world(apps: readonly ContainerInfo[] = [container('app', { 'hitc.ensemble': 'shop', 'hitc.spec-hash': 'aaaa000011112222' })]): ObservedWorld {
  return {
    servers: {
      web: {
        name: 'web', provider: 'ec2', ip: '203.0.113.5', internalIp: '10.0.0.5', options: { size: 't3.micro', zone: 'eu-west-1a' }, dockerInstalled: true,
        containers: apps, imageIds: { 'nginx:1.27': 'sha256:aaa', 'redis:7': 'sha256:bbb' }, firewall: { specHash: '0123456789abcdef', ensemble: 'shop', hooked: true, peer: '192.0.2.7' },
        sshPath: { peer: '192.0.2.7', port: '22' },
      },
    },
    unreachable: { far: 'connect timed out' },
    strays: [{ id: 'stray:ec2/old', name: 'old', provider: 'ec2', state: 'running' }],
  };
}
