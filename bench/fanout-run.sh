#!/usr/bin/env bash
# One verified fan-out run; hyperfine (driven by fanout.sh) times this whole script.
#
#   fanout-run.sh TOOL N       run `uname -a` with TOOL on the first N bed hosts
#   fanout-run.sh reset-ansible   close Ansible's ControlPersist masters (hyperfine --prepare)
#
# TOOL: hitc | pssh | ansible-raw | ansible-command | fabric
#
# A run counts only if the tool exited 0 AND every one of the N hosts printed its own
# `uname -a` line (each bed host has a unique hostname, hitc-bed-light-NNN, in that line).
# Otherwise it exits 1, which makes hyperfine abort that benchmark: a failed fan-out is never
# timed as if it had worked. The reason goes to stderr and to $BENCH_WORK/fail-TOOL-N, since
# hyperfine itself discards the command's output.
#
# Environment, set by fanout.sh: BENCH_REPO, BENCH_WORK (hosts-N, inventory-N.ini, ansible
# control sockets), BENCH_SSH_CONFIG, BENCH_KEY, BENCH_KNOWN_HOSTS, ANSIBLE_CONFIG.
set -uo pipefail

: "${BENCH_REPO:?} ${BENCH_WORK:?} ${BENCH_SSH_CONFIG:?} ${BENCH_KEY:?} ${BENCH_KNOWN_HOSTS:?}"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [ "${1:-}" = reset-ansible ]; then
  # Every timed Ansible run must start cold, like the other tools' runs: a master left by
  # the previous run would skip the handshakes entirely.
  for sock in "$BENCH_WORK"/cp/*; do
    [ -S "$sock" ] && ssh -o ControlPath="$sock" -O exit bench >/dev/null 2>&1
  done
  exit 0
fi

tool=${1:?usage: fanout-run.sh TOOL N} n=${2:?usage: fanout-run.sh TOOL N}
hosts_file=$BENCH_WORK/hosts-$n
out=$BENCH_WORK/out-$tool-$n

case $tool in
  hitc)
    # -z N: the pool as wide as the fan-out, like -p/-f N for the peers
    cmd=(node "$BENCH_REPO/bin/hitc.mjs" -F "$BENCH_SSH_CONFIG" -H "$(paste -sd, "$hosts_file")"
      -P -z "$n" -- uname -a) ;;
  pssh)
    # -t: a per-host cap so a stuck host fails the run instead of hanging it; generous
    # because 200 handshakes on 2 shared cores are slow. KexAlgorithms is already in the
    # ssh_config; repeated here so the comparison stays fair if that file ever changes.
    cmd=(parallel-ssh -h "$hosts_file" -p "$n" -t 120 -i
      -x "-F $BENCH_SSH_CONFIG -o KexAlgorithms=curve25519-sha256" uname -a) ;;
  ansible-raw)
    cmd=(ansible all -i "$BENCH_WORK/inventory-$n.ini" -o -f "$n" -m raw -a "uname -a") ;;
  ansible-command)
    cmd=(ansible all -i "$BENCH_WORK/inventory-$n.ini" -o -f "$n" -m command -a "uname -a") ;;
  fabric)
    cmd=(/usr/bin/python3 "$HERE/fanout_fabric.py" "$hosts_file" "$BENCH_KEY" "$BENCH_KNOWN_HOSTS" "uname -a") ;;
  *)
    echo "fanout-run.sh: unknown tool '$tool'" >&2; exit 2 ;;
esac

cd "$BENCH_REPO" || exit 2
"${cmd[@]}" >"$out" 2>&1 </dev/null
rc=$?
answered=$(grep -oE 'Linux hitc-bed-light-[0-9]+ ' "$out" | sort -u | wc -l)
if [ "$rc" -ne 0 ] || [ "$answered" -ne "$n" ]; then
  {
    echo "$tool on $n hosts: exit $rc, $answered/$n hosts answered; last output lines:"
    tail -n 15 "$out" | sed 's/^/    /'
  } | tee -a "$BENCH_WORK/fail-$tool-$n" >&2
  exit 1
fi
