// OpenSSH known_hosts verification, written to agree with what `ssh` itself would decide
// for the same files, so a host trusted by the user's ssh is trusted by hitc and a changed
// key is refused by both. Only plain host keys are checked; certificates are not supported.

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { appendFile, mkdir, open, readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../core/errors.ts';

export type HostKeyVerdict =
  | { status: 'match'; file: string; line: number }
  | { status: 'unknown' }
  | { status: 'mismatch'; file: string; line: number; expectedType: string };

/** user files are writable (accept-new appends to user[0]); global ones are only read. */
export interface KnownHostsFiles {
  user: string[];
  global: string[];
}

interface Entry {
  file: string;
  line: number;
  marker?: 'revoked' | 'cert-authority';
  hosts: string;
  keyType: string;
  key: Buffer;
}

/**
 * The name known_hosts stores for a host: `host` on port 22, `[host]:port` otherwise.
 * Lowercased because ssh lowercases the host before looking it up or hashing it, and a
 * hashed entry only matches the exact bytes that were hashed.
 */
export function hostPatternName(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

/** `ssh-keygen -l` style: "SHA256:" + unpadded base64 of the sha256 of the key blob. */
export function fingerprintSha256(keyBase64: string): string {
  const digest = createHash('sha256').update(Buffer.from(keyBase64, 'base64')).digest('base64');
  return `SHA256:${digest.replace(/=+$/, '')}`;
}

/**
 * OpenSSH pattern-list semantics (match_pattern_list): comma-separated globs with `*` and
 * `?`; a matching `!pattern` vetoes the whole list even if another pattern matched.
 * Case-insensitive, as ssh lowercases both sides for host names.
 */
export function matchPatternList(patterns: string | readonly string[], text: string): boolean {
  const list = (typeof patterns === 'string' ? [patterns] : patterns).flatMap((p) => p.split(','));
  let positive = false;
  for (const raw of list) {
    if (raw === '') continue;
    const negated = raw.startsWith('!');
    if (globMatch(negated ? raw.slice(1) : raw, text)) {
      if (negated) return false;
      positive = true;
    }
  }
  return positive;
}

function globMatch(pattern: string, text: string): boolean {
  const source = pattern
    .toLowerCase()
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 's').test(text.toLowerCase());
}

// ssh2 reports the negotiated signature algorithm for RSA keys, but known_hosts records
// the key type, which is ssh-rsa for all three.
function normalizeKeyType(type: string): string {
  return type === 'rsa-sha2-256' || type === 'rsa-sha2-512' ? 'ssh-rsa' : type;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function parseLine(text: string, file: string, line: number): Entry | undefined {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return undefined;
  const fields = trimmed.split(/\s+/);
  let marker: Entry['marker'];
  if (fields[0]!.startsWith('@')) {
    const word = fields.shift();
    if (word === '@revoked') marker = 'revoked';
    else if (word === '@cert-authority') marker = 'cert-authority';
    else return undefined; // unknown marker: ssh skips the line, so do we
  }
  const [hosts, keyType, keyBase64] = fields;
  if (hosts === undefined || keyType === undefined || keyBase64 === undefined) return undefined;
  if (!BASE64.test(keyBase64)) return undefined;
  return { file, line, marker, hosts, keyType: normalizeKeyType(keyType), key: Buffer.from(keyBase64, 'base64') };
}

function hostsMatch(hosts: string, name: string): boolean {
  if (hosts.startsWith('|')) return hashedMatch(hosts, name);
  return matchPatternList(hosts, name);
}

// `|1|salt|hmac`: HMAC-SHA1 keyed by the salt over the host name (what `ssh-keygen -H` writes).
function hashedMatch(hosts: string, name: string): boolean {
  const parts = hosts.split('|');
  if (parts.length !== 4 || parts[1] !== '1') return false;
  const salt = Buffer.from(parts[2]!, 'base64');
  const expected = Buffer.from(parts[3]!, 'base64');
  if (salt.length !== 20 || expected.length !== 20) return false;
  const actual = createHmac('sha1', salt).update(name).digest();
  return timingSafeEqual(actual, expected);
}

// Parsed files by path, reused while size and mtime are unchanged: a run that connects to
// hundreds of hosts would otherwise re-read and re-parse the same files for each of them.
const parsed = new Map<string, { signature: string; entries: Entry[] }>();

async function readEntries(file: string): Promise<Entry[]> {
  let signature: string;
  try {
    const st = await stat(file);
    signature = `${st.size}:${st.mtimeMs}:${st.ino}`;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    signature = 'unknown';
  }
  const hit = parsed.get(file);
  if (hit && hit.signature === signature) return hit.entries;
  const entries = await parseFile(file);
  parsed.set(file, { signature, entries });
  return entries;
}

async function parseFile(file: string): Promise<Entry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A missing file just means nothing is known yet, exactly as for ssh.
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw new ConfigError(`cannot read known hosts file ${file}: ${(error as Error).message}`, {
      file,
      hint: 'check the file permissions, or point UserKnownHostsFile elsewhere in ~/.ssh/config',
      cause: error,
    });
  }
  const entries: Entry[] = [];
  text.split(/\r?\n/).forEach((lineText, index) => {
    const entry = parseLine(lineText, file, index + 1);
    if (entry) entries.push(entry);
  });
  return entries;
}

function verdictFor(entries: Entry[], name: string, keyType: string, key: Buffer): HostKeyVerdict {
  const type = normalizeKeyType(keyType);
  const relevant = entries.filter((e) => e.marker !== 'cert-authority' && hostsMatch(e.hosts, name));
  // A revoked key must never be accepted, whatever else the files say about it.
  const revoked = relevant.find((e) => e.marker === 'revoked' && e.key.equals(key));
  if (revoked) return { status: 'mismatch', file: revoked.file, line: revoked.line, expectedType: 'revoked' };
  const plain = relevant.filter((e) => e.marker === undefined && e.keyType === type);
  const same = plain.find((e) => e.key.equals(key));
  if (same) return { status: 'match', file: same.file, line: same.line };
  const changed = plain[0];
  if (changed) return { status: 'mismatch', file: changed.file, line: changed.line, expectedType: changed.keyType };
  // Entries that only exist for other key types: ssh would have negotiated one of those
  // types instead. We cannot steer ssh2's negotiation per host, so the new type is treated
  // as unknown and goes through accept-new like a first connection.
  return { status: 'unknown' };
}

/** What the known_hosts files say about `keyType keyBase64` presented by host:port. */
export async function checkHostKey(
  files: KnownHostsFiles,
  host: string,
  port: number,
  keyType: string,
  keyBase64: string,
): Promise<HostKeyVerdict> {
  // ssh reads user files before global ones; order only decides which line is reported.
  const all = await Promise.all([...files.user, ...files.global].map(readEntries));
  return verdictFor(all.flat(), hostPatternName(host, port), keyType, Buffer.from(keyBase64, 'base64'));
}

// Appends to one file are chained so concurrent accept-new from many hosts cannot interleave
// or both decide "not there yet" and write the same line twice.
const appendChains = new Map<string, Promise<void>>();

/** Append `name type base64` to `file` unless that exact key is already recorded for the host. */
export function recordHostKey(file: string, host: string, port: number, keyType: string, keyBase64: string): Promise<void> {
  const path = resolve(file);
  const previous = appendChains.get(path) ?? Promise.resolve();
  const run = () => appendIfMissing(path, host, port, keyType, keyBase64);
  const next = previous.then(run, run);
  const tail = next.catch(() => {});
  appendChains.set(path, tail);
  void tail.then(() => {
    if (appendChains.get(path) === tail) appendChains.delete(path);
  });
  return next;
}

async function appendIfMissing(path: string, host: string, port: number, keyType: string, keyBase64: string) {
  const name = hostPatternName(host, port);
  const type = normalizeKeyType(keyType);
  const verdict = verdictFor(await readEntries(path), name, type, Buffer.from(keyBase64, 'base64'));
  if (verdict.status === 'match') return;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  // Never glue our line onto a last line that lacks its newline.
  const separator = (await endsWithoutNewline(path)) ? '\n' : '';
  await appendFile(path, `${separator}${name} ${type} ${keyBase64}\n`, { mode: 0o600 });
}

async function endsWithoutNewline(path: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return false;
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } finally {
    await handle.close();
  }
}
