// What a local server needs to run its own dockerd: --privileged where the machine allows it,
// else the same thing by hand (all capabilities the engine itself holds, no seccomp/apparmor,
// all devices), as on VMs whose capability bounding set lacks one (CAP_SYS_RESOURCE here).

import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { docker } from './docker-cli.ts';

const CAPS = ['CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP', 'LINUX_IMMUTABLE',
  'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER', 'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT',
  'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE', 'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE',
  'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP', 'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ'];

let cached: Promise<string[]> | undefined;

export function privilegeFlags(image: string): Promise<string[]> {
  return (cached ??= probe(image));
}

async function probe(image: string): Promise<string[]> {
  const ok = await docker(['run', '--rm', '--privileged', '--network', 'none', '--entrypoint', '/bin/true', image]).then(() => true, () => false);
  if (ok) return ['--privileged', '--cgroupns', 'private'];
  const flags = ['--cgroupns', 'private', '--cap-add', 'ALL', '--security-opt', 'seccomp=unconfined', '--security-opt', 'apparmor=unconfined',
    '--security-opt', 'systempaths=unconfined', '--device-cgroup-rule', 'a *:* rwm'];
  try {
    const pid = execFileSync('pgrep', ['-xo', 'dockerd'], { encoding: 'utf8' }).trim();
    const bnd = BigInt(`0x${/CapBnd:\s*([0-9a-f]+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 'ffffffffff'}`);
    CAPS.forEach((cap, i) => {
      if (((bnd >> BigInt(i)) & 1n) === 0n) flags.push('--cap-drop', cap);
    });
  } catch {
    // a remote engine: we cannot read its bounding set; hope ALL is allowed
  }
  return flags;
}
