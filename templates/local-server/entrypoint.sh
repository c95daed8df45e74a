#!/bin/bash
# Starts a hitc local server: host keys (made at build time, so shared by local servers: they
# are throwaway dev machines on a private network), the authorized key from the
# environment, its own dockerd in the background, then sshd in the foreground.
set -e
mkdir -p /run/sshd /root/.ssh
[ -f /etc/ssh/ssh_host_ed25519_key ] || ssh-keygen -A >/dev/null
if [ -n "${HITC_AUTHORIZED_KEY:-}" ]; then
  printf '%s\n' "$HITC_AUTHORIZED_KEY" >/root/.ssh/authorized_keys
  chmod 600 /root/.ssh/authorized_keys
fi
# Without --privileged (where the machine forbids it) /sys and the cgroup mounts start
# read-only; dockerd needs them writable.
if grep -qE '^sysfs /sys sysfs ro[, ]' /proc/mounts; then
  mount -o remount,rw /sys 2>/dev/null || true
  for d in /sys/fs/cgroup/*/; do mount -o remount,bind,rw "$d" 2>/dev/null || true; done
fi
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  mkdir -p /sys/fs/cgroup/init
  xargs -rn1 </sys/fs/cgroup/cgroup.procs >/sys/fs/cgroup/init/cgroup.procs 2>/dev/null || true
  sed -e 's/ / +/g' -e 's/^/+/' </sys/fs/cgroup/cgroup.controllers >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || true
fi
(/usr/sbin/dockerd >/var/log/dockerd.log 2>&1 &)
exec /usr/sbin/sshd -D -e
