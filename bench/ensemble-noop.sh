#!/usr/bin/env bash
# A no-op `ensemble.up` (10 servers × 3 containers, all converged) against the bare fan-out
# `hitc -P -- true` on the same 10 servers: what observing and planning add to reaching the
# servers at all. Target (issue 10): ≤ 1.2×. The two commands run interleaved (A B A B …) so
# that whatever else loads the machine hits both alike; the medians are compared.
# Usage: bench/ensemble-noop.sh [--runs N]     (default 10 pairs)
# The bed's state is test/bed/state of this checkout, or the directory of $HITC_BED_STATE
# (a bed.json path, as the integration tests take it): a worktree can use the main checkout's
# bed. Run it under the bed lock when others use the bed: flock /tmp/hitc-bed.lock bash …
# Exit status: 0 when every run succeeded (whatever the ratio), 1 if a run failed, 2 on set-up.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=10
[ "${1:-}" = --runs ] && RUNS=$2
if [ -n "${HITC_BED_STATE:-}" ]; then STATE=$(cd "$(dirname "$HITC_BED_STATE")" && pwd); else STATE=$PWD/test/bed/state; fi
N=10
have=$(jq '.dockerHosts | length' "$STATE/bed.json" 2>/dev/null || echo 0)
if [ "$have" -lt "$N" ]; then
  echo "the bed at $STATE has $have Docker hosts, $N needed: HITC_BED_DOCKER_HOSTS=$N bash test/bed/bed.sh up 50 (in the checkout that owns it)" >&2
  exit 2
fi
mapfile -t HOSTS < <(jq -r '.dockerHosts[]' "$STATE/bed.json" | head -$N)
IMAGE=$(jq -r '.appImages.httpd' "$STATE/bed.json")
WORK=$(mktemp -d)
ENSEMBLE=sf-bench-noop
cat >"$WORK/ssh_config" <<CFG
Host *
  User root
  IdentityFile $STATE/id_ed25519
  UserKnownHostsFile $STATE/known_hosts
CFG
HITC=(node "$PWD/bin/hitc.mjs" -F "$WORK/ssh_config")
{
  for h in "${HOSTS[@]}"; do
    echo "$h:"
    echo "  containers:"
    for c in 1 2 3; do echo "    $ENSEMBLE-$c: {image: $IMAGE}"; done
  done
} >"$WORK/$ENSEMBLE.yml"
all=$(IFS=,; echo "${HOSTS[*]}")
# only this bench's containers, by their ensemble label: other ensembles on the bed are left alone
CLEAN="docker rm -f \$(docker ps -aq --filter label=hitc.ensemble=$ENSEMBLE) >/dev/null 2>&1; true"
cleanup() { (cd "$WORK" && "${HITC[@]}" -P -H "$all" -- "$CLEAN" >/dev/null 2>&1) || true; rm -rf "$WORK"; }
trap cleanup EXIT
cd "$WORK"
"${HITC[@]}" -P -H "$all" -- "docker pull -q $IMAGE >/dev/null" >/dev/null || { echo "set-up failed: docker pull" >&2; exit 2; }
"${HITC[@]}" ensemble.up:$ENSEMBLE --yes >/dev/null || { echo "set-up failed: the first ensemble.up" >&2; exit 2; }

secs() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null || { echo "FAILED: $*" >&2; exit 1; }; t1=$(date +%s.%N); awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f\n", b-a}'; }
median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
# one untimed pair first: the compile cache and the page cache are warm for both
secs "${HITC[@]}" -P -H "$all" -- true >/dev/null
secs "${HITC[@]}" ensemble.up:$ENSEMBLE --yes >/dev/null
: >"$WORK/a"; : >"$WORK/b"
for i in $(seq "$RUNS"); do
  secs "${HITC[@]}" -P -H "$all" -- true >>"$WORK/a"
  secs "${HITC[@]}" ensemble.up:$ENSEMBLE --yes >>"$WORK/b"
  # a no-op must stay a no-op: a run that planned changes would measure something else
done
"${HITC[@]}" ensemble.plan:$ENSEMBLE,exit_code=true >/dev/null || { echo "FAILED: the ensemble is no longer converged after the runs" >&2; exit 1; }
floor=$(median <"$WORK/a")
noop=$(median <"$WORK/b")
ratio=$(awk -v a="$noop" -v b="$floor" 'BEGIN{printf "%.2f", a/b}')
verdict=$(awk -v r="$ratio" 'BEGIN{print (r <= 1.2) ? "met" : "MISSED"}')
printf '\n%d interleaved pairs, load average %s\n' "$RUNS" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'A: hitc -P -H <%d servers> -- true        runs: %s\n' "$N" "$(tr '\n' ' ' <"$WORK/a")"
printf 'B: hitc ensemble.up:%s --yes (no-op)  runs: %s\n' "$ENSEMBLE" "$(tr '\n' ' ' <"$WORK/b")"
printf '\n| measure | median (s) |\n|---|---:|\n'
printf '| `hitc -P -- true` on %d servers (fan-out floor) | %s |\n' "$N" "$floor"
printf '| no-op `ensemble.up`, %d servers × 3 containers | %s |\n' "$N" "$noop"
printf '| ratio no-op ÷ floor (target ≤ 1.2) | %s %s |\n' "$ratio" "$verdict"
