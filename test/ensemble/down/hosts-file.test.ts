import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rewriteHostsFile, withEnsembleHosts, withoutEnsembleHosts } from '../../../src/ensemble/down/hosts-file.ts';

const mine = '127.0.0.1\tlocalhost\n10.0.0.9 web # hitc ensemble=shop-old\n# hitc ensemble=shop is just a comment\n';

test("hosts lines: this ensemble's are replaced at the end, every other line kept byte for byte", () => {
  const one = withEnsembleHosts(mine, 'shop', [{ ip: '172.18.0.5', name: 'web' }, { ip: '172.18.0.6', name: 'db' }]);
  assert.equal(one, `${mine}172.18.0.5\tweb web.shop\t# hitc ensemble=shop\n172.18.0.6\tdb db.shop\t# hitc ensemble=shop\n`);
  const two = withEnsembleHosts(one, 'shop', [{ ip: '172.18.0.7', name: 'web' }]);
  assert.equal(two, `${mine}172.18.0.7\tweb web.shop\t# hitc ensemble=shop\n`);
  assert.equal(withoutEnsembleHosts(two, 'shop'), mine);
  assert.equal(withoutEnsembleHosts(mine, 'shop'), mine, 'a line another ensemble or a person wrote stays');
  assert.equal(withEnsembleHosts('no newline', 'x', [{ ip: '::1', name: 'a' }]), 'no newline\n::1\ta a.x\t# hitc ensemble=x\n');
  assert.throws(() => withEnsembleHosts('', 'x', [{ ip: '1.2.3.4; rm', name: 'a' }]), /cannot write/);
});

test('the file is rewritten only when it changes, keeping its mode', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'hitc-hosts-')), 'hosts');
  writeFileSync(path, mine);
  chmodSync(path, 0o644);
  assert.equal(await rewriteHostsFile(path, (t) => withoutEnsembleHosts(t, 'shop')), false);
  assert.equal(await rewriteHostsFile(path, (t) => withEnsembleHosts(t, 'shop', [{ ip: '172.18.0.5', name: 'web' }])), true);
  assert.match(readFileSync(path, 'utf8'), /172\.18\.0\.5\tweb web\.shop/);
  assert.equal(statSync(path).mode & 0o777, 0o644);
});
