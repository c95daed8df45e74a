// A -H word that the ssh config names (Host web1) is an ssh alias: hitc connects to it as ssh
// would and never waits on a cloud listing for it. Other words are looked up in the cloud.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPlan } from '../../src/cli/build-plan.ts';
import { parseArgs } from '../../src/cli/args.ts';
import type { Cloud } from '../../src/providers/cloud.ts';
import { TaskRegistry } from '../../src/taskfile/registry.ts';
import { hostAliases, loadSshConfig } from '../../src/transport/ssh-config.ts';
import { tempDir } from '../helpers/temp.ts';

test('hostAliases: exact Host words, from included files too; patterns and negations are not aliases', async () => {
  const dir = tempDir('hitc-alias-');
  writeFileSync(join(dir, 'more'), 'Host db-main\n  User postgres\n');
  writeFileSync(join(dir, 'config'), `Host web1 web2 *.internal !bad\n  User deploy\nHost ?x\nMatch host other\n  Port 2222\nInclude ${join(dir, 'more')}\n`);
  assert.deepEqual([...hostAliases(await loadSshConfig(join(dir, 'config')))].sort(), ['db-main', 'web1', 'web2']);
});

test('an ssh alias is not looked up in the cloud; a node name is', async () => {
  const looked: string[] = [];
  const cloud = {
    find: async (word: string) => {
      looked.push(word);
      return undefined;
    },
    providers: { names: [] },
    roles: async () => ({}),
  } as unknown as Cloud;
  const req = parseArgs(['-H', 'web1,deploy@web2,app-3', '--', 'true']);
  assert.equal(req.action, 'run');
  if (req.action !== 'run') return;
  const [planned] = await buildPlan(req, new TaskRegistry(), undefined, cloud, async (host) => host === 'web1' || host === 'web2');
  assert.deepEqual(planned?.hosts.map((h) => `${h.user ?? ''}@${h.host}`), ['@web1', 'deploy@web2', '@app-3']);
  assert.deepEqual(looked, ['app-3'], 'only the word no ssh section names goes to the cloud');
});
