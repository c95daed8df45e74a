import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readImageIdsCommand, readStateCommand } from '../../../src/docker/commands.ts';
import { parseFirewallHash, parseSshPath, READ_SSH_PATH, readFirewallHashScript } from '../../../src/ensemble/firewall/firewall-commands.ts';
import { probeCommand, splitProbe } from '../../../src/ensemble/observe/probe.ts';

const state = readStateCommand().script;
const fw = readFirewallHashScript();

test('the probe: state, then the firewall script only where its chain exists, then image ids', () => {
  assert.equal(probeCommand([]).script, `(${state}) || echo --hitc-docker-down--; echo --hitc-firewall--; iptables -w -S HITC-FW >/dev/null 2>&1 && { ${fw}; }; echo --hitc-images--; true`);
  const ids = readImageIdsCommand(['app:1']).script;
  assert.equal(probeCommand(['app:1']).script, `(${state}) || echo --hitc-docker-down--; echo --hitc-firewall--; iptables -w -S HITC-FW >/dev/null 2>&1 && { ${fw}; }; echo --hitc-images--; (${ids})`);
  assert.equal(probeCommand(['app:1'], { pull: true }).script, `(${state}) || echo --hitc-docker-down--; echo --hitc-firewall--; iptables -w -S HITC-FW >/dev/null 2>&1 && { ${fw}; }; echo --hitc-images--; command -v docker >/dev/null 2>&1 && for i in app:1; do docker pull -q "$i" >/dev/null 2>&1 || echo "pull-failed $i"; done; (${ids})`);
});

test('with a firewall, the probe also reads the SSH path, unless it runs under sudo', () => {
  assert.equal(probeCommand([], { sshPath: true }).script, `[ -n "$SUDO_USER" ] || ${READ_SSH_PATH}; echo --hitc-ssh-path--; (${state}) || echo --hitc-docker-down--; echo --hitc-firewall--; iptables -w -S HITC-FW >/dev/null 2>&1 && { ${fw}; }; echo --hitc-images--; true`);
});

test("the probe's output splits into its sections", () => {
  const out = '10.0.0.9 51000 10.0.0.2 2222\n10.0.0.9 51000 10.0.0.2 2222\n--hitc-ssh-path--\n[]\n--hitc-docker-state--\n--hitc-firewall--\nabc123 web hooked 10.0.0.9\n--hitc-images--\npull-failed app:2\nsha256:1 app:1\n';
  const p = splitProbe(out, { sshPath: true });
  assert.deepEqual(parseSshPath(p.sshPath), { peer: '10.0.0.9', port: '2222' });
  assert.equal(p.dockerDown, false);
  assert.equal(p.state, '[]\n--hitc-docker-state--\n');
  assert.deepEqual(parseFirewallHash(p.firewall), { specHash: 'abc123', ensemble: 'web', hooked: true, peer: '10.0.0.9' });
  assert.deepEqual(p.failedPulls, ['app:2']);
  assert.equal(p.imageIds, 'sha256:1 app:1\n');
  // under sudo the SSH path section is empty; without a firewall there is none
  assert.equal(parseSshPath(splitProbe('--hitc-ssh-path--\n[]\n--hitc-firewall--\n--hitc-images--\n', { sshPath: true }).sshPath), undefined);
  const plain = splitProbe('--hitc-docker-down--\n--hitc-firewall--\n--hitc-images--\n');
  assert.equal(plain.dockerDown, true);
  assert.equal(plain.sshPath, '');
  assert.equal(plain.firewall, '');
});
