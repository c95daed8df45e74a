import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/core/errors.ts';
import { loadSshConfig, resolveHost } from '../../src/transport/ssh-config.ts';
import { tempDir } from '../helpers/temp.ts';

/** A fake home with ~/.ssh/config (and any extra files under ~/.ssh) written out. */
async function home(config: string, extra: Record<string, string> = {}): Promise<string> {
  const dir = tempDir('hitc-sshcfg-');
  await mkdir(join(dir, '.ssh', 'conf.d'), { recursive: true });
  await writeFile(join(dir, '.ssh', 'config'), config);
  for (const [name, text] of Object.entries(extra)) await writeFile(join(dir, '.ssh', name), text);
  return dir;
}

async function resolve(config: string, alias: string, extra: Record<string, string> = {}) {
  const dir = await home(config, extra);
  const source = await loadSshConfig(undefined, { home: dir });
  return { dir, config: resolveHost(source, alias, { home: dir, localUser: 'me' }) };
}

test('Host pattern with HostName, User, Port and two IdentityFiles', async () => {
  const { dir, config } = await resolve(
    [
      'Host web-?',
      '  HostName %h.internal.example',
      '  User deploy',
      '  Port 2222',
      '  IdentityFile ~/.ssh/id_%r_%h',
      '  IdentityFile "%d/keys/my key"',
      '  IdentitiesOnly yes',
      '  ServerAliveInterval 15',
      '  ServerAliveCountMax=4',
      '  Compression no',
      '  ForwardAgent yes',
      '  IdentityAgent ~/agent.sock',
      '  UserKnownHostsFile ~/.ssh/kh1 %d/kh2',
    ].join('\n'),
    'web-1',
  );
  assert.deepEqual(config, {
    hostname: 'web-1.internal.example',
    user: 'deploy',
    port: 2222,
    identityFiles: [join(dir, '.ssh/id_deploy_web-1.internal.example'), join(dir, 'keys/my key')],
    identitiesOnly: true,
    proxyJump: [],
    serverAliveIntervalSec: 15,
    serverAliveCountMax: 4,
    compression: false,
    forwardAgent: true,
    identityAgent: join(dir, 'agent.sock'),
    userKnownHostsFiles: [join(dir, '.ssh/kh1'), join(dir, 'kh2')],
  });
  // `?` is exactly one character, as in OpenSSH.
  assert.equal((await resolve('Host web-?\n  HostName x\n', 'web-12')).config.hostname, 'web-12');
});

test('first obtained value wins; IdentityFile accumulates across blocks', async () => {
  const text = [
    'Host web-*',
    '  User deploy',
    '  IdentityFile ~/.ssh/web',
    'Host *',
    '  User root',
    '  Port 2200',
    '  IdentityFile ~/.ssh/default',
  ].join('\n');
  const { dir, config } = await resolve(text, 'web-7');
  assert.equal(config.user, 'deploy');
  assert.equal(config.port, 2200);
  assert.deepEqual(config.identityFiles, [join(dir, '.ssh/web'), join(dir, '.ssh/default')]);
  assert.equal((await resolve(text, 'db-1')).config.user, 'root');
});

test('ProxyJump chain, and none', async () => {
  const text = 'Host inner\n  ProxyJump ops@bastion:2222,relay\nHost outer\n  ProxyJump none\nHost *\n  ProxyJump fallback\n';
  assert.deepEqual((await resolve(text, 'inner')).config.proxyJump, ['ops@bastion:2222', 'relay']);
  assert.deepEqual((await resolve(text, 'outer')).config.proxyJump, []);
  assert.deepEqual((await resolve(text, 'other')).config.proxyJump, ['fallback']);
});

test('ConnectTimeout and StrictHostKeyChecking', async () => {
  const { config } = await resolve('Host *\n  ConnectTimeout 7\n  StrictHostKeyChecking accept-new\n', 'x');
  assert.equal(config.connectTimeoutSec, 7);
  assert.equal(config.strictHostKeyChecking, 'accept-new');
});

test('Include of a relative file (relative to ~/.ssh) and a glob, scoped to its block', async () => {
  const { config } = await resolve(
    ['Include conf.d/*.conf', 'Host app', '  Include app-extra', '  User fromapp', 'Host *', '  Port 2022'].join('\n'),
    'app',
    {
      'conf.d/10-db.conf': 'Host db\n  HostName db.example\n',
      'conf.d/20-app.conf': 'Host app\n  HostName app.example\n',
      'conf.d/.hidden.conf': 'Host app\n  HostName hidden.example\n',
      'app-extra': 'ConnectTimeout 3\nHost nothing-else\n  User nobody\n',
    },
  );
  assert.equal(config.hostname, 'app.example');
  assert.equal(config.connectTimeoutSec, 3);
  // The included file's own `Host` ends at its end: the rest of `Host app` still applies.
  assert.equal(config.user, 'fromapp');
  assert.equal(config.port, 2022);
});

test('Match host / originalhost / all; unsupported criteria ignore the block', async () => {
  const text = [
    'Host short',
    '  HostName short.corp.example',
    'Match exec "true"',
    '  User exec-user',
    'Match host *.corp.example',
    '  User corp',
    'Match originalhost short !user corp',
    '  Port 1',
    'Match all',
    '  Port 2',
  ].join('\n');
  const { config } = await resolve(text, 'short');
  assert.equal(config.user, 'corp');
  assert.equal(config.port, 2);
});

test('negated Host patterns exclude', async () => {
  const text = 'Host *.example !db.example\n  User web\nHost *\n  User other\n';
  assert.equal((await resolve(text, 'a.example')).config.user, 'web');
  assert.equal((await resolve(text, 'db.example')).config.user, 'other');
});

test('missing config file gives defaults', async () => {
  const dir = tempDir('hitc-sshcfg-');
  const source = await loadSshConfig(join(dir, 'absent'), { home: dir });
  assert.deepEqual(resolveHost(source, 'web1', { home: dir, localUser: 'me' }), {
    hostname: 'web1',
    identityFiles: [],
    proxyJump: [],
    userKnownHostsFiles: [],
  });
});

test('parse errors and bad values are ConfigErrors with file and line', async () => {
  const dir = await home('# ok\nHost a\n  IdentityFile "~/unterminated\n');
  const file = join(dir, '.ssh', 'config');
  await assert.rejects(loadSshConfig(undefined, { home: dir }), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.file, file);
    assert.equal(error.line, 3);
    assert.ok(error.hint);
    return true;
  });
  const bad = await home('Host a\n  Port twenty\n');
  const source = await loadSshConfig(undefined, { home: bad });
  assert.throws(() => resolveHost(source, 'a', { home: bad }), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.line, 2);
    return true;
  });
  assert.equal(resolveHost(source, 'b', { home: bad }).port, undefined);
  const loop = await home('Include config\n');
  await assert.rejects(loadSshConfig(undefined, { home: loop }), ConfigError);
});


test('agrees with `ssh -G` on the basics', async () => {
  const text = [
    'Host web-*',
    '  HostName %h.example',
    '  IdentityFile ~/.ssh/k_%r',
    '  ProxyJump a@j1:2200,j2',
    'Match host *.example',
    '  User matched',
    'Host *',
    '  Port 2201',
    '  IdentityFile ~/.ssh/k2',
  ].join('\n');
  const dir = await home(text);
  const file = join(dir, '.ssh', 'config');
  const ssh = spawnSync('ssh', ['-G', '-F', file, 'web-3'], { encoding: 'utf8' });
  assert.equal(ssh.status, 0, ssh.stderr);
  const g = new Map<string, string[]>();
  for (const line of ssh.stdout.split('\n')) {
    const [key, ...rest] = line.split(' ');
    if (key) g.set(key, [...(g.get(key) ?? []), rest.join(' ')]);
  }
  const ours = resolveHost(await loadSshConfig(file), 'web-3', { home: homedir(), localUser: userInfo().username });
  assert.equal(ours.hostname, g.get('hostname')![0]);
  assert.equal(ours.user, g.get('user')![0]);
  assert.equal(String(ours.port), g.get('port')![0]);
  assert.equal(ours.proxyJump.join(','), g.get('proxyjump')![0]);
  // ssh -G prints IdentityFile unexpanded (ssh expands when loading keys).
  const expected = g.get('identityfile')!.map((f) => f.replace(/^~/, homedir()).replace('%r', ours.user!));
  assert.deepEqual(ours.identityFiles, expected);
});
