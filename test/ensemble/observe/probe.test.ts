import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readStateCommand } from '../../../src/docker/commands.ts';
import { parseFirewallHash, parseSshPath, READ_SSH_PATH, readFirewallHashScript } from '../../../src/ensemble/firewall/firewall-commands.ts';
import { probeCommand, splitProbe } from '../../../src/ensemble/observe/probe.ts';
import { tempDir } from '../../helpers/temp.ts';

const fw = readFirewallHashScript();

test('the probe: state with image ids, then the firewall script only where its chain exists', () => {
  assert.equal(probeCommand([]).script, `(${readStateCommand().script}) || echo --hitc-docker-down--; echo --hitc-firewall--; if iptables -w -S HITC-FW >/dev/null 2>&1; then ${fw}; fi`);
  const state = readStateCommand(['app:1']).script;
  assert.equal(probeCommand(['app:1']).script, `(${state}) || echo --hitc-docker-down--; echo --hitc-firewall--; if iptables -w -S HITC-FW >/dev/null 2>&1; then ${fw}; fi`);
  // pulled first, so the ids read are the pulled ones
  assert.equal(probeCommand(['app:1'], { pull: true }).script, `command -v docker >/dev/null 2>&1 && for i in app:1; do docker pull -q "$i" >/dev/null 2>&1 || echo "pull-failed $i"; done; echo --hitc-pulled--; (${state}) || echo --hitc-docker-down--; echo --hitc-firewall--; if iptables -w -S HITC-FW >/dev/null 2>&1; then ${fw}; fi`);
});

test('with a firewall, the probe also reads the SSH path, unless it runs under sudo', () => {
  assert.equal(probeCommand([], { sshPath: true }).script, `[ -n "$SUDO_USER" ] || ${READ_SSH_PATH}; echo --hitc-ssh-path--; (${readStateCommand().script}) || echo --hitc-docker-down--; echo --hitc-firewall--; if iptables -w -S HITC-FW >/dev/null 2>&1; then ${fw}; fi`);
});

test("the probe's output splits into its sections", () => {
  const state = '[]\n--hitc-docker-images--\nsha256:1 app:1\n--hitc-docker-state--\n';
  const out = `10.0.0.9 51000 10.0.0.2 2222\n10.0.0.9 51000 10.0.0.2 2222\n--hitc-ssh-path--\npull-failed app:2\n--hitc-pulled--\n${state}--hitc-firewall--\nabc123 web hooked 10.0.0.9\n`;
  const p = splitProbe(out, { sshPath: true, pull: true });
  assert.deepEqual(parseSshPath(p.sshPath), { peer: '10.0.0.9', port: '2222' });
  assert.equal(p.dockerDown, false);
  assert.equal(p.state, state);
  assert.deepEqual(parseFirewallHash(p.firewall), { specHash: 'abc123', ensemble: 'web', hooked: true, peer: '10.0.0.9' });
  assert.deepEqual(p.failedPulls, ['app:2']);
  // under sudo the SSH path section is empty; without a firewall or pull there is none
  assert.equal(parseSshPath(splitProbe('--hitc-ssh-path--\n[]\n--hitc-firewall--\n', { sshPath: true }).sshPath), undefined);
  const plain = splitProbe('--hitc-docker-down--\n--hitc-firewall--\n');
  assert.equal(plain.dockerDown, true);
  assert.equal(plain.sshPath, '');
  assert.equal(plain.firewall, '');
  assert.deepEqual(plain.failedPulls, []);
});

test('a server with neither Docker nor iptables answers the probe with exit 0 (what it found is in the output)', () => {
  const empty = tempDir('hitc-probe-');
  const out = execFileSync('/bin/sh', ['-c', probeCommand(['app:1'], { sshPath: true }).script], { env: { PATH: empty, SSH_CLIENT: '10.0.0.9 51000 22', SSH_CONNECTION: '10.0.0.9 51000 10.0.0.2 22' }, encoding: 'utf8' });
  assert.equal(out, '10.0.0.9 51000 22\n10.0.0.9 51000 10.0.0.2 22\n--hitc-ssh-path--\nno-docker\n--hitc-firewall--\n');
  assert.deepEqual(parseSshPath(splitProbe(out, { sshPath: true }).sshPath), { peer: '10.0.0.9', port: '22' });
});
