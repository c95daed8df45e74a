import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  checkHostKey,
  fingerprintSha256,
  hostPatternName,
  matchPatternList,
  recordHostKey,
} from '../../src/transport/known-hosts.ts';
import { tempDir } from '../helpers/temp.ts';

function sshString(data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  return Buffer.concat([length, data]);
}

/** A real ssh-ed25519 public key blob, base64, as it appears in known_hosts. */
function ed25519Key(): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  return Buffer.concat([sshString(Buffer.from('ssh-ed25519')), sshString(raw)]).toString('base64');
}

/** What `ssh-keygen -H` writes for a name. */
function hashed(name: string): string {
  const salt = randomBytes(20);
  const mac = createHmac('sha1', salt).update(name).digest();
  return `|1|${salt.toString('base64')}|${mac.toString('base64')}`;
}

async function khDir(): Promise<string> {
  return Promise.resolve(tempDir('hitc-kh-'));
}

async function knownHosts(text: string): Promise<string> {
  const file = join(await khDir(), 'known_hosts');
  await writeFile(file, text);
  return file;
}

const keyA = ed25519Key();
const keyB = ed25519Key();

test('hostPatternName follows the OpenSSH convention', () => {
  assert.equal(hostPatternName('web1', 22), 'web1');
  assert.equal(hostPatternName('Web1.Example', 2222), '[web1.example]:2222');
});

test('matchPatternList: wildcards, ? is exactly one character, negation vetoes', () => {
  assert.ok(matchPatternList('web?', 'web1'));
  assert.ok(!matchPatternList('web?', 'web'));
  assert.ok(matchPatternList('*.example.com,!db.example.com', 'web.example.com'));
  assert.ok(!matchPatternList('*.example.com,!db.example.com', 'db.example.com'));
  assert.ok(!matchPatternList('!db', 'web'));
});

test('plain entry matches, with several names and a comment', async () => {
  const file = await knownHosts(`other ssh-ed25519 ${keyB}\nalpha,web1,[web1]:2200 ssh-ed25519 ${keyA} me@laptop\n`);
  assert.deepEqual(await checkHostKey({ user: [file], global: [] }, 'web1', 22, 'ssh-ed25519', keyA), {
    status: 'match',
    file,
    line: 2,
  });
});

test('a [host]:port entry applies to that port only', async () => {
  const file = await knownHosts(`[web1]:2222 ssh-ed25519 ${keyA}\n`);
  const files = { user: [file], global: [] };
  assert.equal((await checkHostKey(files, 'web1', 2222, 'ssh-ed25519', keyA)).status, 'match');
  assert.equal((await checkHostKey(files, 'web1', 22, 'ssh-ed25519', keyA)).status, 'unknown');
  const plain = await knownHosts(`web1 ssh-ed25519 ${keyA}\n`);
  assert.equal((await checkHostKey({ user: [plain], global: [] }, 'web1', 2222, 'ssh-ed25519', keyA)).status, 'unknown');
});

test('hashed entries match the host name and the [host]:port name', async () => {
  const file = await knownHosts(`${hashed('web1')} ssh-ed25519 ${keyA}\n${hashed('[web2]:2222')} ssh-ed25519 ${keyB}\n`);
  const files = { user: [file], global: [] };
  assert.deepEqual(await checkHostKey(files, 'web1', 22, 'ssh-ed25519', keyA), { status: 'match', file, line: 1 });
  assert.deepEqual(await checkHostKey(files, 'web2', 2222, 'ssh-ed25519', keyB), { status: 'match', file, line: 2 });
  assert.equal((await checkHostKey(files, 'web3', 22, 'ssh-ed25519', keyA)).status, 'unknown');
  const changed = await checkHostKey(files, 'web1', 22, 'ssh-ed25519', keyB);
  assert.equal(changed.status, 'mismatch');
});

test('entries hashed by the real ssh-keygen -H match', async () => {
  const file = await knownHosts(`web1 ssh-ed25519 ${keyA}\n[10.0.0.5]:2222 ssh-ed25519 ${keyB}\n`);
  execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
  const text = await readFile(file, 'utf8');
  assert.match(text, /^\|1\|/);
  assert.doesNotMatch(text, /web1/);
  const files = { user: [file], global: [] };
  assert.equal((await checkHostKey(files, 'web1', 22, 'ssh-ed25519', keyA)).status, 'match');
  assert.equal((await checkHostKey(files, '10.0.0.5', 2222, 'ssh-ed25519', keyB)).status, 'match');
  assert.equal((await checkHostKey(files, '10.0.0.5', 22, 'ssh-ed25519', keyB)).status, 'unknown');
});

test('wildcard patterns match', async () => {
  const file = await knownHosts(`10.214.*.* ssh-ed25519 ${keyA}\n`);
  const files = { user: [], global: [file] };
  assert.deepEqual(await checkHostKey(files, '10.214.3.17', 22, 'ssh-ed25519', keyA), { status: 'match', file, line: 1 });
  assert.equal((await checkHostKey(files, '10.215.3.17', 22, 'ssh-ed25519', keyA)).status, 'unknown');
});

test('a matching negated pattern excludes the line', async () => {
  const file = await knownHosts(`10.214.*.*,!10.214.0.1 ssh-ed25519 ${keyA}\n`);
  const files = { user: [file], global: [] };
  assert.equal((await checkHostKey(files, '10.214.0.2', 22, 'ssh-ed25519', keyA)).status, 'match');
  // Excluded, so a different key for it is unknown rather than "changed".
  assert.equal((await checkHostKey(files, '10.214.0.1', 22, 'ssh-ed25519', keyB)).status, 'unknown');
});

test('a changed key is a mismatch naming file and line', async () => {
  const user = await knownHosts(`# my hosts\nother ssh-ed25519 ${keyB}\nweb1 ssh-ed25519 ${keyA}\n`);
  const global = await knownHosts(`web1 ecdsa-sha2-nistp256 ${keyB}\n`);
  assert.deepEqual(await checkHostKey({ user: [user], global: [global] }, 'web1', 22, 'ssh-ed25519', keyB), {
    status: 'mismatch',
    file: user,
    line: 3,
    expectedType: 'ssh-ed25519',
  });
});

test('a match anywhere wins over a stale entry elsewhere', async () => {
  const stale = await knownHosts(`web1 ssh-ed25519 ${keyB}\n`);
  const fresh = await knownHosts(`web1 ssh-ed25519 ${keyA}\n`);
  assert.deepEqual(await checkHostKey({ user: [stale], global: [fresh] }, 'web1', 22, 'ssh-ed25519', keyA), {
    status: 'match',
    file: fresh,
    line: 1,
  });
});

test('a revoked key is refused even if also listed as trusted', async () => {
  const file = await knownHosts(`web1 ssh-ed25519 ${keyA}\n@revoked * ssh-ed25519 ${keyA}\n`);
  assert.deepEqual(await checkHostKey({ user: [file], global: [] }, 'web1', 22, 'ssh-ed25519', keyA), {
    status: 'mismatch',
    file,
    line: 2,
    expectedType: 'revoked',
  });
});

test('@cert-authority lines, comments and malformed lines are ignored', async () => {
  const file = await knownHosts(
    `@cert-authority * ssh-ed25519 ${keyB}\n\n# web1 ssh-ed25519 ${keyB}\nweb1 ssh-ed25519\nweb1 ssh-ed25519 not*base64\n@bogus web1 ssh-ed25519 ${keyB}\n`,
  );
  assert.deepEqual(await checkHostKey({ user: [file], global: [] }, 'web1', 22, 'ssh-ed25519', keyA), {
    status: 'unknown',
  });
});

test('missing files, and keys known only for other types, are unknown', async () => {
  const dir = await khDir();
  assert.deepEqual(await checkHostKey({ user: [join(dir, 'nope')], global: ['/nonexistent/x'] }, 'h', 22, 'ssh-ed25519', keyA), {
    status: 'unknown',
  });
  const file = await knownHosts(`web1 ecdsa-sha2-nistp256 ${keyB}\n`);
  assert.deepEqual(await checkHostKey({ user: [file], global: [] }, 'web1', 22, 'ssh-ed25519', keyA), {
    status: 'unknown',
  });
});

test('rsa-sha2-* signature names compare as ssh-rsa', async () => {
  const file = await knownHosts(`web1 ssh-rsa ${keyA}\n`);
  assert.equal((await checkHostKey({ user: [file], global: [] }, 'web1', 22, 'rsa-sha2-512', keyA)).status, 'match');
  const other = await checkHostKey({ user: [file], global: [] }, 'web1', 22, 'rsa-sha2-256', keyB);
  assert.equal(other.status, 'mismatch');
});

test('recordHostKey creates dir and file privately, then checkHostKey matches', async () => {
  const file = join(await khDir(), 'sub', '.ssh', 'known_hosts');
  await recordHostKey(file, 'web1', 2222, 'ssh-ed25519', keyA);
  await recordHostKey(file, 'web1', 2222, 'ssh-ed25519', keyA);
  assert.equal(await readFile(file, 'utf8'), `[web1]:2222 ssh-ed25519 ${keyA}\n`);
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  assert.equal((await stat(join(file, '..'))).mode & 0o777, 0o700);
  assert.deepEqual(await checkHostKey({ user: [file], global: [] }, 'web1', 2222, 'ssh-ed25519', keyA), {
    status: 'match',
    file,
    line: 1,
  });
});

test('recordHostKey does not glue onto a last line without newline', async () => {
  const file = await knownHosts(`other ssh-ed25519 ${keyB}`);
  await recordHostKey(file, 'web1', 22, 'rsa-sha2-512', keyA);
  assert.equal(await readFile(file, 'utf8'), `other ssh-ed25519 ${keyB}\nweb1 ssh-rsa ${keyA}\n`);
});

test('concurrent recordHostKey of 20 hosts (each twice) writes 20 lines', async () => {
  const file = join(await khDir(), 'known_hosts');
  const hosts = Array.from({ length: 20 }, (_, i) => `host${i}`);
  const keys = hosts.map(() => ed25519Key());
  await Promise.all(
    [...hosts, ...hosts].map((host, i) => recordHostKey(file, host, 22, 'ssh-ed25519', keys[i % 20]!)),
  );
  const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
  assert.equal(lines.length, 20);
  assert.equal(new Set(lines).size, 20);
  for (const [i, host] of hosts.entries()) {
    assert.equal((await checkHostKey({ user: [file], global: [] }, host, 22, 'ssh-ed25519', keys[i]!)).status, 'match');
  }
});

test('fingerprintSha256 agrees with ssh-keygen -l', async () => {
  const file = join(await khDir(), 'key.pub');
  await writeFile(file, `ssh-ed25519 ${keyA} test\n`);
  const output = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', file], { encoding: 'utf8' });
  assert.equal(output.split(' ')[1], fingerprintSha256(keyA));
  assert.match(fingerprintSha256(keyA), /^SHA256:[A-Za-z0-9+/]{43}$/);
});
