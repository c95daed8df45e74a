// Planner fixtures: each folder holds manifest.yml + observed.json → plan.txt (the exact text).
// In observed.json a container's "hitc.spec" label may be an object (stored as JSON, and its
// hash label filled in), and a firewall specHash of "@firewall" means "what the manifest wants".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseManifest } from '../../../src/ensemble/manifest/parse-manifest.ts';
import { planEnsemble } from '../../../src/ensemble/plan/plan.ts';
import { planText } from '../../../src/ensemble/plan/plan-text.ts';
import { specHash, type NormalSpec } from '../../../src/ensemble/plan/container-spec-hash.ts';
import { firewallHash, resolveFirewallRules } from '../../../src/ensemble/firewall/firewall-rules.ts';
import type { ObservedWorld } from '../../../src/ensemble/observe/observed.ts';
import type { Manifest } from '../../../src/ensemble/manifest/model.ts';

const root = join(import.meta.dirname, 'fixtures');

function loadObserved(path: string, manifest: Manifest): ObservedWorld {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as { servers: Record<string, any> };
  for (const server of Object.values(raw.servers)) {
    for (const c of server.containers) {
      const spec = c.labels['hitc.spec'];
      if (spec && typeof spec === 'object') {
        c.labels['hitc.spec-hash'] ??= specHash(spec as NormalSpec);
        c.labels['hitc.spec'] = JSON.stringify(spec);
      }
    }
    if (server.firewall?.specHash === '@firewall') {
      const rules = manifest.servers.find((s) => s.name === server.name)?.firewall?.rules ?? [];
      const ips = Object.values(raw.servers).map((s: any) => s.internalIp);
      const resolved = resolveFirewallRules(rules, (r) => (r.field === 'ip' ? raw.servers[r.server]?.ip : undefined), { internalIps: () => ips, servers: () => ({}) });
      server.firewall.specHash = firewallHash(resolved!);
    }
    if (server.firewall === null) delete server.firewall;
  }
  return raw as unknown as ObservedWorld;
}

for (const name of readdirSync(root).filter((n) => !n.includes('.')).sort()) {
  test(`plan fixture: ${name}`, () => {
    const dir = join(root, name);
    const parsed = parseManifest('manifest.yml', readFileSync(join(dir, 'manifest.yml'), 'utf8'));
    assert.deepEqual(parsed.issues, []);
    const plan = planEnsemble(parsed.manifest!, loadObserved(join(dir, 'observed.json'), parsed.manifest!), { ensemble: 'web-redis' });
    assert.equal(`${planText(plan).join('\n')}\n`, readFileSync(join(dir, 'plan.txt'), 'utf8'));
  });
}

test('the planner is deterministic and pure: same input, same plan', () => {
  const dir = join(root, 'server-replaced');
  const parsed = parseManifest('m', readFileSync(join(dir, 'manifest.yml'), 'utf8'));
  const observed = loadObserved(join(dir, 'observed.json'), parsed.manifest!);
  assert.deepEqual(planEnsemble(parsed.manifest!, observed, { ensemble: 'x' }), planEnsemble(parsed.manifest!, observed, { ensemble: 'x' }));
});

test('servers this ensemble created that the manifest dropped, or moved to another provider, are orphans', () => {
  const parsed = parseManifest('m.yml', 'api:\n  provider: digitalocean\n');
  const plan = planEnsemble(parsed.manifest!, {
    servers: {},
    strays: [
      { id: 'stray:ec2/api', name: 'api', provider: 'ec2', state: 'running' },
      { id: 'stray:ec2/old', name: 'old', provider: 'ec2', state: 'stopped' },
    ],
  }, { ensemble: 'm' });
  assert.equal(planText(plan).join('\n'), `The following servers will be created:
  api: no digitalocean server named api
Not in the manifest (kept; remove them with prune):
  api: ec2 server created by this ensemble; the manifest now puts api on digitalocean
  old: ec2 server created by this ensemble (stopped); the manifest no longer has it
Plan: 1 to create, 0 to replace, 0 to update, 0 unchanged, 2 orphaned.`);
});
