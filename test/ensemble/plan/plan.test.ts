// Planner cases not covered by the fixtures (plan-fixtures.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifest } from '../../../src/ensemble/manifest/parse-manifest.ts';
import { planText } from '../../../src/ensemble/plan/plan-text.ts';
import { planOf } from './canonical.ts';

test('servers this ensemble created that the manifest dropped, or moved to another provider, are orphans', () => {
  const parsed = parseManifest('m.yml', 'api:\n  provider: digitalocean\n');
  const plan = planOf(parsed.manifest!, {
    servers: {},
    strays: [
      { id: 'stray:ec2/api', name: 'api', provider: 'ec2', state: 'running' },
      { id: 'stray:ec2/old', name: 'old', provider: 'ec2', state: 'stopped' },
    ],
  }, { name: 'm' });
  assert.equal(planText(plan).join('\n'), `Ensemble m
The following servers will be created:
  api: no digitalocean server named api
Not in the manifest (kept; remove them with prune):
  api: ec2 server created by this ensemble; the manifest now puts api on digitalocean
  old: ec2 server created by this ensemble (stopped); the manifest no longer has it
Plan: 1 to create, 0 to replace, 0 to update, 0 unchanged, 2 orphaned.`);
});
