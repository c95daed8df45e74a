#!/usr/bin/env bash
# Fan-out benchmark: hitc against the incumbent tools, `uname -a` on the first N bed hosts.
#
#   bash bench/fanout.sh [--sizes 10,50,200] [--runs 5]
#
# For each size N, on the same first N hosts of test/bed/state/hosts.txt:
#   hitc             node bin/hitc.mjs -F ssh_config -H ... -P -z N -- uname -a
#   parallel-ssh     parallel-ssh -p N -i -x "-F ssh_config -o KexAlgorithms=curve25519-sha256"
#   ansible-raw      ansible all -m raw -f N         (Ansible's defaults: ControlPersist, no pipelining)
#   ansible-command  ansible all -m command -f N
#   fabric           Fabric 2 ThreadingGroup (bench/fanout_fabric.py)
# and the start-up cost `node bin/hitc.mjs -f hitcfile.example.ts -l` against `node -e 0`.
#
# Every timed run is verified by bench/fanout-run.sh (exit 0 and all N hosts answered); a
# failure aborts that tool's benchmark and is reported, never timed. Timing: hyperfine,
# --warmup 1 (the warm-up doubles as the first verification), medians.
# Output: a table on stdout and in bench/results/fanout-<stamp>.md; hyperfine JSON and logs in
# bench/results/fanout-<stamp>/. Exit 1 if any benchmark failed.
#
# The bed: if test/bed/state/hosts.txt lists fewer hosts than the largest size, this runs
# `bash test/bed/bed.sh up MAX` once, before anything is timed. It never takes the bed down.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
BED=$REPO/test/bed
STATE=$BED/state
TOOLS=(hitc pssh ansible-raw ansible-command fabric)

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[bench %s] ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2; exit 2; }
loud() { printf '\n!!!!! %s\n' "$@" >&2; }

SIZES=10,50,200
RUNS=5
while [ $# -gt 0 ]; do
  case $1 in
    --sizes) SIZES=${2:?--sizes needs a value}; shift 2 ;;
    --sizes=*) SIZES=${1#*=}; shift ;;
    --runs) RUNS=${2:?--runs needs a value}; shift 2 ;;
    --runs=*) RUNS=${1#*=}; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (usage: fanout.sh [--sizes 10,50,200] [--runs N])" ;;
  esac
done
[[ $SIZES =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || die "--sizes wants a comma list of host counts, got '$SIZES'"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "--runs wants a positive integer, got '$RUNS'"
mapfile -t SIZE_LIST < <(tr , '\n' <<<"$SIZES" | sort -n -u)
MAX=${SIZE_LIST[-1]}

# ---- preflight: every tool present before we touch the bed or time anything ----------------
for t in node hyperfine parallel-ssh ansible ssh; do
  command -v "$t" >/dev/null || die "'$t' not found (peers are Debian packages: pssh ansible-core python3-fabric hyperfine)"
done
# Debian's python3, not whatever python3 is first on PATH: fabric is the Debian package.
/usr/bin/python3 -W ignore -c 'import fabric' 2>/dev/null || die "/usr/bin/python3 cannot import fabric (apt-get install python3-fabric)"

# ---- the bed ----------------------------------------------------------------------------------
count_hosts() { if [ -s "$STATE/hosts.txt" ]; then grep -c . "$STATE/hosts.txt"; else echo 0; fi; }
# bed.sh deletes hosts.txt while an `up` is in progress. Reading it then would count 0 hosts and
# make us run `up MAX`, shrinking a bigger bed that someone else is bringing up: wait for
# bed.sh's lock to be free first (taken and released at once; we hold nothing while timing).
if [ -e "$STATE/.lock" ] && ! flock -n "$STATE/.lock" true; then
  log "test/bed/bed.sh is running (state/.lock held): waiting for it (at most 15 min)"
  flock -w 900 "$STATE/.lock" true || die "bed.sh still holds $STATE/.lock after 15 min"
fi
have=$(count_hosts)
if [ "$have" -lt "$MAX" ]; then
  log "the bed has $have host(s), the largest size is $MAX: bash test/bed/bed.sh up $MAX"
  bash "$BED/bed.sh" up "$MAX"
  have=$(count_hosts)
  [ "$have" -ge "$MAX" ] || die "bed.sh up $MAX left $have hosts in $STATE/hosts.txt"
fi
# Freshly started hosts keep the machine busy for a while (hundreds of containers settling);
# whichever tool ran first would pay for it. Wait for the 1-minute load to fall first.
settle() {
  local i load
  for i in $(seq 1 60); do
    load=$(cut -d' ' -f1 /proc/loadavg)
    awk -v l="$load" -v n="$(nproc)" 'BEGIN{exit !(l < n)}' && return 0
    [ "$i" = 1 ] && log "waiting for the load average ($load) to fall below $(nproc) before timing"
    sleep 5
  done
  log "load average still $(cut -d' ' -f1 /proc/loadavg) after 5 min; timing anyway (see the report's load line)"
}
settle
for f in bed.json ssh_config id_ed25519 known_hosts; do
  [ -s "$STATE/$f" ] || die "missing $STATE/$f: is the bed up? (bash test/bed/bed.sh up $MAX)"
done

HITC_LIST_FILE=hitcfile.example.ts
if [ -f "$REPO/$HITC_LIST_FILE" ]; then
  LIST_CMD="node bin/hitc.mjs -f $HITC_LIST_FILE -l"
else
  LIST_CMD="node bin/hitc.mjs -l"
  log "no $HITC_LIST_FILE in the repo: timing '$LIST_CMD' (built-in tasks only) instead"
fi

# ---- workspace --------------------------------------------------------------------------------
STAMP=$(date +%Y%m%d-%H%M%S)
OUT=$HERE/results/fanout-$STAMP       # hyperfine JSON + logs
REPORT=$HERE/results/fanout-$STAMP.md
mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/hitc-bench.XXXXXX)   # inventories, tool output, ansible sockets
mkdir -p "$WORK/cp"

export BENCH_REPO=$REPO BENCH_WORK=$WORK BENCH_SSH_CONFIG=$STATE/ssh_config
export BENCH_KEY=$STATE/id_ed25519 BENCH_KNOWN_HOSTS=$STATE/known_hosts
RUNNER=$HERE/fanout-run.sh
cleanup() {
  "$RUNNER" reset-ansible || true   # no ControlPersist master may outlive the benchmark
  rm -rf "$WORK"
}
trap cleanup EXIT

# The same first-N hosts for every tool of a size.
for n in "${SIZE_LIST[@]}"; do
  head -n "$n" "$STATE/hosts.txt" >"$WORK/hosts-$n"
  {
    echo "[bench]"
    cat "$WORK/hosts-$n"
    echo
    echo "[bench:vars]"
    echo "ansible_user=root"
    # -F: key, known_hosts, StrictHostKeyChecking yes, BatchMode and curve25519 KEX, exactly as
    # hitc and parallel-ssh get them. Ansible adds its own -o options before this.
    echo "ansible_ssh_common_args='-F $BENCH_SSH_CONFIG -o KexAlgorithms=curve25519-sha256'"
  } >"$WORK/inventory-$n.ini"
done

# Our own ansible.cfg, so no ansible.cfg in the cwd or home can change the run.
cat >"$WORK/ansible.cfg" <<EOF
[defaults]
# verify host keys (against the bed's known_hosts, via the ssh_config)
host_key_checking = True
# Ansible's 10 s connect timeout fails handshakes that wait behind 200 others on 2 cores
timeout = 60
interpreter_python = /usr/bin/python3
deprecation_warnings = False
# gathering is irrelevant for ad-hoc; forks come from -f N
[ssh_connection]
# ssh_args left at Ansible's default (-C -o ControlMaster=auto -o ControlPersist=60s):
# we measure Ansible as shipped. Its masters live here and are closed before every run.
control_path_dir = $WORK/cp
EOF
export ANSIBLE_CONFIG=$WORK/ansible.cfg
export ANSIBLE_LOCAL_TEMP=$WORK/ansible-local

HF=(hyperfine --style basic --shell=none --warmup 1)
FAILED=()

# ---- fan-out ----------------------------------------------------------------------------------
for n in "${SIZE_LIST[@]}"; do
  for tool in "${TOOLS[@]}"; do
    log "$n hosts: $tool ($RUNS runs + 1 warm-up)"
    extra=()
    [[ $tool == ansible-* ]] && extra=(--prepare "$(printf '%q' "$RUNNER") reset-ansible")
    rm -f "$WORK/fail-$tool-$n"
    if "${HF[@]}" --runs "$RUNS" "${extra[@]}" --export-json "$OUT/$n-$tool.json" \
        --command-name "$tool" "$(printf '%q' "$RUNNER") $tool $n" >"$OUT/$n-$tool.log" 2>&1; then
      log "$n hosts: $tool median $(/usr/bin/python3 -c 'import json,sys; print("%.3f s" % json.load(open(sys.argv[1]))["results"][0]["median"])' "$OUT/$n-$tool.json")"
    else
      FAILED+=("$tool on $n hosts")
      rm -f "$OUT/$n-$tool.json"   # a failed benchmark must not show up as a time
      loud "BENCHMARK FAILED: $tool on $n hosts (a run exited non-zero or not every host answered)"
      if [ -s "$WORK/fail-$tool-$n" ]; then
        cp "$WORK/fail-$tool-$n" "$OUT/$n-$tool.fail"
        tail -n 20 "$WORK/fail-$tool-$n" >&2
      else
        tail -n 10 "$OUT/$n-$tool.log" >&2
      fi
      echo >&2
    fi
  done
done

# ---- start-up: hitc -l against a bare node ------------------------------------------------------
# Both are ~0.05-0.5 s, so runs are cheap and the noise is relatively larger: at least 10.
LIST_RUNS=$(( RUNS > 10 ? RUNS : 10 ))
log "start-up: '$LIST_CMD' vs 'node -e 0' ($LIST_RUNS runs + 1 warm-up)"
cd "$REPO"
if ! list_out=$($LIST_CMD 2>&1) || ! grep -qE '^(Tasks from|Built-in tasks)' <<<"$list_out"; then
  FAILED+=("$LIST_CMD")
  loud "BENCHMARK FAILED: '$LIST_CMD' did not list tasks:" "$list_out"
elif ! "${HF[@]}" --runs "$LIST_RUNS" --export-json "$OUT/list.json" \
    --command-name "hitc -l" "$LIST_CMD" --command-name "node -e 0" "node -e 0" >"$OUT/list.log" 2>&1; then
  FAILED+=("$LIST_CMD")
  rm -f "$OUT/list.json"
  loud "BENCHMARK FAILED: '$LIST_CMD' vs 'node -e 0'" "$(tail -n 10 "$OUT/list.log")"
fi

# ---- report -----------------------------------------------------------------------------------
dirty=$(git -C "$REPO" status --porcelain -- src bin package.json 2>/dev/null | wc -l)
{
  echo "# hitc fan-out benchmark, $(date '+%Y-%m-%d %H:%M')"
  echo
  echo "- hitc: $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$([ "$dirty" -gt 0 ] && echo " + uncommitted changes in $dirty file(s) of src/ bin/")"
  echo "- machine: $(nproc) cores shared by the client and every sshd; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- node $(node --version); $(ssh -V 2>&1 | cut -d, -f1); pssh $(dpkg-query -W -f='${Version}' pssh 2>/dev/null);" \
    "ansible-core $(dpkg-query -W -f='${Version}' ansible-core 2>/dev/null); fabric $(dpkg-query -W -f='${Version}' python3-fabric 2>/dev/null)" \
    "(paramiko $(dpkg-query -W -f='${Version}' python3-paramiko 2>/dev/null)); hyperfine $(dpkg-query -W -f='${Version}' hyperfine 2>/dev/null)"
  echo "- each cell: median wall time of $RUNS verified runs (+1 warm-up) of \`uname -a\` on the first N hosts of the bed;" \
    "start-up: $LIST_RUNS runs. JSON: bench/results/fanout-$STAMP/"
  echo
} >"$REPORT"
/usr/bin/python3 - "$OUT" "$LIST_CMD" "${SIZE_LIST[@]}" >>"$REPORT" <<'PY'
import json, os, sys

out, list_cmd, sizes = sys.argv[1], sys.argv[2], [int(s) for s in sys.argv[3:]]
TOOLS = [("hitc", "hitc -P -z N"), ("pssh", "parallel-ssh -p N"), ("ansible-raw", "ansible -m raw -f N"),
         ("ansible-command", "ansible -m command -f N"), ("fabric", "Fabric 2 ThreadingGroup")]
PEERS = [t for t, _ in TOOLS if t != "hitc"]
LABEL = dict(TOOLS)

def results(name):
    p = os.path.join(out, name + ".json")
    return json.load(open(p))["results"] if os.path.exists(p) else None

def median(n, tool):
    r = results(f"{n}-{tool}")
    return r[0] if r else None

def ratio(a, b):
    return f"{a / b:.2f}" if a is not None and b else "—"

print("## Fan-out: `uname -a` on N hosts\n")
print("| hosts | tool | median (s) | min–max (s) | hitc ÷ tool |")
print("|---:|---|---:|---:|---:|")
for n in sizes:
    h = median(n, "hitc")
    hm = h["median"] if h else None
    for tool, label in TOOLS:
        r = median(n, tool)
        if r is None:
            print(f"| {n} | {label} | **FAILED** | | — |")
            continue
        rat = "—" if tool == "hitc" else ratio(hm, r["median"])
        print(f"| {n} | {label} | {r['median']:.3f} | {r['min']:.3f}–{r['max']:.3f} | {rat} |")

print("\n## Targets\n")
print("At 200 hosts: hitc wall ≤ 0.7× the fastest peer's and ≤ 0.1× Ansible's (`-m command`). "
      "Smaller sizes are shown for information; the verdict applies at 200.\n")
print("| hosts | fastest peer | hitc ÷ fastest peer (≤ 0.70) | hitc ÷ ansible -m command (≤ 0.10) |")
print("|---:|---|---:|---:|")
for n in sizes:
    h = median(n, "hitc")
    peers = {p: median(n, p) for p in PEERS}
    ok_peers = {p: r["median"] for p, r in peers.items() if r}
    missing = [p for p, r in peers.items() if not r]
    if not h or not ok_peers:
        print(f"| {n} | — | — | — |")
        continue
    fastest = min(ok_peers, key=ok_peers.get)
    r1 = h["median"] / ok_peers[fastest]
    ac = ok_peers.get("ansible-command")
    r2 = h["median"] / ac if ac else None
    def verdict(r, target):
        if r is None: return "— (ansible -m command failed)"
        v = f"{r:.2f}"
        return v + ((" met" if r <= target else " **MISSED**") if n >= 200 else "")
    note = f" (without failed: {', '.join(LABEL[m] for m in missing)})" if missing else ""
    print(f"| {n} | {LABEL[fastest]}{note} | {verdict(r1, 0.70)} | {verdict(r2, 0.10)} |")

print("\n## Start-up: task listing against a bare node\n")
lr = results("list")
if not lr:
    print(f"`{list_cmd}`: **FAILED**")
else:
    by = {r["command"]: r for r in lr}
    h, b = by["hitc -l"], by["node -e 0"]
    r = h["median"] / b["median"]
    print("| command | median (s) | min–max (s) | ÷ node -e 0 (target ≤ 3) |")
    print("|---|---:|---:|---:|")
    print(f"| `{list_cmd}` | {h['median']:.3f} | {h['min']:.3f}–{h['max']:.3f} | {r:.2f}{' met' if r <= 3 else ' **MISSED**'} |")
    print(f"| `node -e 0` | {b['median']:.3f} | {b['min']:.3f}–{b['max']:.3f} | 1.00 |")
PY

if [ ${#FAILED[@]} -gt 0 ]; then
  {
    echo
    echo "## FAILED"
    echo
    for f in "${FAILED[@]}"; do echo "- $f (details: bench/results/fanout-$STAMP/)"; done
  } >>"$REPORT"
fi

echo
cat "$REPORT"
echo
log "report: ${REPORT#"$REPO"/}"
if [ ${#FAILED[@]} -gt 0 ]; then
  loud "${#FAILED[@]} BENCHMARK(S) FAILED: $(IFS=';'; echo "${FAILED[*]}")"
  exit 1
fi
