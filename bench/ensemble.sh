#!/usr/bin/env bash
# Ensemble timings on real test-bed Docker hosts (the issue's targets):
#   1. a no-op `ensemble.up` on 10 servers × 3 containers vs probing one server (docker.ps),
#      target ≤ 1.5×;
#   2. a fresh bring-up vs the dependency graph's critical path, target ≤ 1.1×. The manifest
#      chains the servers (server i's containers need server i-1's). The critical path is
#      observing + planning (a no-op up) plus the longest dependency chain of the steps' real
#      durations in that same run (from `--json`: each step's start, duration and dependencies),
#      so the ratio is what hitc's scheduling and its extra phases (the convergence check) add.
#      For context it also prints the chain at the speed of one container start on an idle host.
# Usage: bench/ensemble.sh [--runs N]        (brings the bed to 10 Docker hosts if needed)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=5
[ "${1:-}" = --runs ] && RUNS=$2
STATE=test/bed/state
N=10
have=$(jq '.dockerHosts | length' "$STATE/bed.json" 2>/dev/null || echo 0)
if [ "$have" -lt "$N" ]; then HITC_BED_DOCKER_HOSTS=$N bash test/bed/bed.sh up 50 >&2; fi
mapfile -t HOSTS < <(jq -r '.dockerHosts[]' "$STATE/bed.json" | head -$N)
IMAGE=$(jq -r '.appImages.httpd' "$STATE/bed.json")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cat >"$WORK/ssh_config" <<CFG
Host *
  User root
  IdentityFile $PWD/$STATE/id_ed25519
  UserKnownHostsFile $PWD/$STATE/known_hosts
CFG
HITC=(node "$PWD/bin/hitc.mjs" -F "$WORK/ssh_config")
{
  prev=
  for h in "${HOSTS[@]}"; do
    echo "$h:"
    echo "  containers:"
    for c in app1 app2 app3; do
      echo "    $c:"
      echo "      image: $IMAGE"
      if [ -n "$prev" ]; then echo "      environment: {UPSTREAM: \"\${$prev.containers.$c.ip}\"}"; fi
    done
    prev=$h
  done
} >"$WORK/bench.yml"
CLEAN='docker rm -f $(docker ps -aq --filter label=hitc.ensemble) >/dev/null 2>&1; docker rm -f hitc-bench-one >/dev/null 2>&1; true'
all=$(IFS=,; echo "${HOSTS[*]}")
cd "$WORK"
"${HITC[@]}" -P -H "$all" -- "docker pull -q $IMAGE >/dev/null; $CLEAN" >/dev/null

median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
secs() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null || { echo "FAILED: $*" >&2; exit 1; }; t1=$(date +%s.%N); awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f\n", b-a}'; }

# one container start, timed on the host itself (no client start-up or SSH in it)
one=$(for i in $(seq "$RUNS"); do "${HITC[@]}" -H "${HOSTS[0]}" -- "docker rm -f hitc-bench-one >/dev/null 2>&1; s=\$(date +%s.%N); docker run -d --name hitc-bench-one $IMAGE >/dev/null; e=\$(date +%s.%N); echo T=\$(awk -v a=\$s -v b=\$e 'BEGIN{printf \"%.3f\", b-a}')" | sed -n 's/.*out: T=//p'; done | median)
# fresh bring-ups: wall time and, from the JSON, the longest chain of real step durations
chain() { node -e '
const d = JSON.parse(require("fs").readFileSync(0, "utf8"));
if (!d.ok) { console.error("ensemble.up failed"); process.exit(1); }
const steps = d.tasks[0].hosts[0].value, by = new Map(steps.map((s) => [s.id, s])), memo = new Map();
const path = (id) => { if (!memo.has(id)) { const s = by.get(id); memo.set(id, (s.durationMs ?? 0) + Math.max(0, ...(s.dependsOn ?? []).filter((x) => by.has(x)).map(path))); } return memo.get(id); };
console.log((Math.max(...steps.map((s) => path(s.id))) / 1000).toFixed(3));'; }
: >"$WORK/fresh.txt"
for i in $(seq "$RUNS"); do
  "${HITC[@]}" -P -H "$all" -- "$CLEAN" >/dev/null
  t0=$(date +%s.%N); "${HITC[@]}" ensemble.up:bench --yes --json >"$WORK/up.json"; t1=$(date +%s.%N)
  echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}') $(chain <"$WORK/up.json")" >>"$WORK/fresh.txt"
done
# the run with the median wall time, with its own chain
read -r fresh steps < <(sort -n "$WORK/fresh.txt" | awk '{a[NR]=$0} END{print a[int((NR+1)/2)]}')
noop=$(for i in $(seq "$RUNS"); do secs "${HITC[@]}" ensemble.up:bench --yes; done | median)
probe=$(for i in $(seq "$RUNS"); do secs "${HITC[@]}" -H "${HOSTS[0]}" docker.ps; done | median)
floor=$(for i in $(seq "$RUNS"); do secs "${HITC[@]}" -P -H "$all" -- true; done | median)
"${HITC[@]}" -P -H "$all" -- "$CLEAN" >/dev/null

# the unavoidable part: observing and planning (a no-op up) plus the longest chain of steps
critical=$(awk -v p="$noop" -v c="$steps" 'BEGIN{printf "%.3f", p + c}')
idle=$(awk -v o="$one" -v n="$N" -v p="$noop" 'BEGIN{printf "%.3f", p + o*n}')
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
printf '\n| measure | median (s) | compared with | ratio | target |\n|---|---:|---|---:|---|\n'
printf '| no-op ensemble.up, %d servers × 3 containers | %s | docker.ps on one server (%s s) | %s | ≤ 1.5 |\n' "$N" "$noop" "$probe" "$(ratio "$noop" "$probe")"
printf '| (context) `hitc -P -- true` on the same %d servers | %s | docker.ps on one server | %s | — |\n' "$N" "$floor" "$(ratio "$floor" "$probe")"
printf '| fresh bring-up (a chain of %d servers) | %s | critical path: no-op up + longest chain of real step durations (%s s) = %s s | %s | ≤ 1.1 |\n' "$N" "$fresh" "$steps" "$critical" "$(ratio "$fresh" "$critical")"
printf '| (context) the same chain at one idle container start each | %s | no-op up + %d × %s s = %s s | %s | — |\n' "$fresh" "$N" "$one" "$idle" "$(ratio "$fresh" "$idle")"
