#!/usr/bin/env bash
# hitc test bed: real sshd "servers" in docker containers on this machine.
#
#   bed.sh prepare   packages, dockerd, images (rebuilt when images/light changes)
#   bed.sh up [N]    prepare + N light hosts (default 50) + bastion + inner host; waits for SSH,
#                    checks the users/sudo/keys/bastion contract, writes state/bed.json
#   bed.sh check     the contract checks alone, against a bed that is up
#   bed.sh down      removes the bed's containers and networks (keeps images, keys, cache)
#   bed.sh status    prints state/bed.json
#
# Needs root (apt, dockerd, iptables). See README.md for the state contract.
set -euo pipefail

BED_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE=$BED_DIR/state
CACHE=${HITC_BED_CACHE:-/var/cache/hitc-bed}

SUITE=bookworm
MIRROR=${HITC_BED_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${HITC_BED_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
ROOTFS_TAR=$CACHE/rootfs-$SUITE-minbase.tar
BASE_IMAGE=hitc-bed-base:$SUITE
LIGHT_IMAGE=hitc-bed-light:latest
LIGHT_DIR=$BED_DIR/images/light

NET=hitc-bed
NET_SUBNET=10.214.0.0/16
NET_GW=10.214.0.1
INNER_NET=hitc-bed-inner
INNER_SUBNET=10.215.0.0/24
INNER_GW=10.215.0.1
# Fixed addresses, so a host keeps its IP when it is recreated and `hosts` is stable.
# Light host i gets 10.214.((i-1)/250).((i-1)%250+2): never .0/.1/.255 of a /24.
BASTION_IP=10.214.254.2
BASTION_INNER_IP=10.215.0.2
INNER_IP=10.215.0.3
UNREACHABLE_IP=10.214.255.254   # in the subnet, never assigned: connects fail fast, locally
MAX_HOSTS=1000

KEY=$STATE/id_ed25519
PASS_KEY=$STATE/id_ed25519_pass
PASS_KEY_PASSPHRASE=hitc-key-pass
DEPLOY_PASSWORD=hitc-deploy-pw   # must match images/light/Dockerfile
KNOWN_HOSTS=$STATE/known_hosts
SSH_CONFIG=$STATE/ssh_config
STATE_JSON=$STATE/bed.json
HOSTS_TXT=$STATE/hosts.txt

LABEL=hitc.bed
PACKAGES=(docker.io debootstrap openssh-client zstd curl iptables)
DOCKER_RUN_PARALLEL=8   # docker run is bound by dockerd; more than this only queues
PROBE_PARALLEL=16       # concurrent SSH handshakes; sshd CPU is the limit on 2 cores
SSH_READY_TIMEOUT=${HITC_BED_SSH_TIMEOUT:-120}

# OpenSSH 9.2's default KEX (sntrup761x25519) costs ~0.25 CPU-s per connection here.
FAST_KEX=(-o KexAlgorithms=curve25519-sha256)

export DOCKER_BUILDKIT=0   # classic builder: Debian's docker.io has no buildx
# Keys offered by an agent would mask which key actually authenticated in the checks.
unset SSH_AUTH_SOCK

log() { printf '[bed %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[bed %s] ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

TMP=$(mktemp -d /tmp/hitc-bed.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# Serialise mutating commands: two `up`s racing would fight over the same container names.
lock() {
  mkdir -p "$STATE"
  exec 9>"$STATE/.lock"
  flock -w 600 9 || die "another bed.sh holds $STATE/.lock for more than 10 min"
}

need_root() { [ "$(id -u)" = 0 ] || die "must run as root (apt-get, dockerd, iptables)"; }

# ---------------------------------------------------------------------------------------------
# prepare: packages, dockerd, images

ensure_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  local logf=$STATE/apt.log
  DEBIAN_FRONTEND=noninteractive apt-get update >"$logf" 2>&1 \
    || { tail -20 "$logf" >&2; die "apt-get update failed (log: $logf)"; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >>"$logf" 2>&1 \
    || { tail -20 "$logf" >&2; die "apt-get install ${missing[*]} failed (log: $logf)"; }
}

ensure_dockerd() {
  command -v docker >/dev/null || die "no docker client on PATH"
  docker info >/dev/null 2>&1 && return 0
  command -v dockerd >/dev/null || die "no dockerd on PATH (package docker.io)"
  # A dockerd that is still starting must not get a twin (they would fight over the pidfile).
  if ! pgrep -x dockerd >/dev/null; then
    log "starting dockerd (no init system here; log: $STATE/dockerd.log)"
    # setsid + subshell: the daemon must outlive this script and not be one of its jobs.
    # It and its containerd-shims would also keep every fd they inherit for their whole
    # life: our lock (a later bed.sh would wait forever) or a caller's pipe (a test runner
    # would never see EOF). So only 0-2 are passed on.
    (
      for fd in /proc/self/fd/*; do
        fd=${fd##*/}
        [ "$fd" -gt 2 ] && eval "exec $fd>&-"
      done
      setsid nohup dockerd >>"$STATE/dockerd.log" 2>&1 </dev/null &
    )
  fi
  local deadline=$(( $(date +%s) + 30 ))
  until docker info >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      tail -15 "$STATE/dockerd.log" >&2 || true
      die "dockerd did not answer within 30 s (log: $STATE/dockerd.log)"
    fi
    sleep 0.5
  done
}

image_id() { docker image inspect -f '{{.Id}}' "$1" 2>/dev/null || true; }

make_rootfs() {
  mkdir -p "$CACHE"
  local dir
  dir=$(mktemp -d "$CACHE/rootfs.XXXXXX")
  log "debootstrap --variant=minbase $SUITE (about 40 s; log: $STATE/debootstrap.log)"
  if ! debootstrap --variant=minbase "$SUITE" "$dir" "$MIRROR" >"$STATE/debootstrap.log" 2>&1; then
    tail -20 "$STATE/debootstrap.log" >&2
    rm -rf "$dir"
    die "debootstrap failed (log: $STATE/debootstrap.log)"
  fi
  # debootstrap only lists the main suite; images should get point and security updates.
  cat >"$dir/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY_MIRROR $SUITE-security main
EOF
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
  tar --numeric-owner -C "$dir" -cf "$ROOTFS_TAR.tmp" .
  mv "$ROOTFS_TAR.tmp" "$ROOTFS_TAR"
  rm -rf "$dir"
}

ensure_base_image() {
  [ -n "$(image_id "$BASE_IMAGE")" ] && return 0
  [ -s "$ROOTFS_TAR" ] || make_rootfs
  log "importing $ROOTFS_TAR as $BASE_IMAGE"
  # The label is inherited by every image built on top, which lets us prune our leftovers.
  docker import --change "LABEL $LABEL=1" --change 'CMD ["/bin/bash"]' "$ROOTFS_TAR" "$BASE_IMAGE" >/dev/null \
    || die "docker import of $ROOTFS_TAR failed (delete it to debootstrap again)"
}

# Everything the light image is made of: its directory's files and the base it builds on.
light_hash() {
  {
    image_id "$BASE_IMAGE"
    (cd "$LIGHT_DIR" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
  } | sha256sum | cut -c1-16
}

ensure_light_image() {
  [ -f "$LIGHT_DIR/Dockerfile" ] || die "missing $LIGHT_DIR/Dockerfile"
  local want have
  want=$(light_hash)
  have=$(docker image inspect -f "{{index .Config.Labels \"$LABEL.hash\"}}" "$LIGHT_IMAGE" 2>/dev/null || true)
  [ "$want" = "$have" ] && return 0
  log "building $LIGHT_IMAGE (inputs ${have:-absent} -> $want; log: $STATE/build-light.log)"
  local t0; t0=$(now)
  docker build --label "$LABEL.hash=$want" -t "$LIGHT_IMAGE" "$LIGHT_DIR" >"$STATE/build-light.log" 2>&1 \
    || { tail -30 "$STATE/build-light.log" >&2; die "docker build of $LIGHT_IMAGE failed (log: $STATE/build-light.log)"; }
  log "built $LIGHT_IMAGE in $(since "$t0") s"
  # The previous build is now untagged; drop it unless a container still uses it.
  docker image prune -f --filter "label=$LABEL=1" >/dev/null 2>&1 || true
}

ensure_keys() {
  if [ ! -s "$KEY" ]; then
    rm -f "$KEY" "$KEY.pub"
    ssh-keygen -q -t ed25519 -N '' -C hitc-bed -f "$KEY" || die "ssh-keygen $KEY failed"
  fi
  if [ ! -s "$PASS_KEY" ]; then
    rm -f "$PASS_KEY" "$PASS_KEY.pub"
    ssh-keygen -q -t ed25519 -N "$PASS_KEY_PASSPHRASE" -C hitc-bed-pass -f "$PASS_KEY" \
      || die "ssh-keygen $PASS_KEY failed"
  fi
  [ -s "$KEY.pub" ] || ssh-keygen -y -f "$KEY" >"$KEY.pub"
  [ -s "$PASS_KEY.pub" ] || ssh-keygen -y -P "$PASS_KEY_PASSPHRASE" -f "$PASS_KEY" >"$PASS_KEY.pub"
  chmod 600 "$KEY" "$PASS_KEY"
}

cmd_prepare() {
  need_root
  mkdir -p "$STATE" "$CACHE"
  ensure_packages
  ensure_dockerd
  ensure_base_image
  ensure_light_image
  ensure_keys
}

# ---------------------------------------------------------------------------------------------
# up

# The image's host keys ("type base64" per line); cached per image id, extracting costs a run.
host_keys() {
  local id; id=$(image_id "$LIGHT_IMAGE")
  if [ "$(cat "$STATE/host_keys.image" 2>/dev/null)" != "$id" ] || [ ! -s "$STATE/host_keys.pub" ]; then
    docker run --rm --network none --entrypoint /bin/sh "$LIGHT_IMAGE" -c \
      'cat /etc/ssh/ssh_host_ed25519_key.pub /etc/ssh/ssh_host_ecdsa_key.pub /etc/ssh/ssh_host_rsa_key.pub' \
      | awk '{ print $1, $2 }' >"$STATE/host_keys.pub" || die "could not read host keys from $LIGHT_IMAGE"
    echo "$id" >"$STATE/host_keys.image"
  fi
  grep -q '^ssh-ed25519 ' "$STATE/host_keys.pub" || die "$LIGHT_IMAGE has no ed25519 host key"
  cat "$STATE/host_keys.pub"
}

write_ssh_files() {
  # Every host shares the image's host keys, so wildcards cover the bed. All key types are
  # listed so a client that prefers ECDSA or RSA host keys verifies too.
  host_keys | awk '{ print "10.214.*.*,10.215.*.*", $1, $2 }' >"$KNOWN_HOSTS.tmp"
  mv "$KNOWN_HOSTS.tmp" "$KNOWN_HOSTS"
  cat >"$SSH_CONFIG" <<EOF
# hitc test bed (written by bed.sh up). Usage: ssh -F $SSH_CONFIG root@10.214.0.2
# The inner host (10.215.*) is reachable only through the bastion: add -J root@$BASTION_IP
Host 10.214.*.* 10.215.*.*
  User root
  IdentityFile $KEY
  IdentitiesOnly yes
  UserKnownHostsFile $KNOWN_HOSTS
  StrictHostKeyChecking yes
  BatchMode yes
  KexAlgorithms curve25519-sha256
EOF
}

light_ip() { local i=$(( $1 - 1 )); echo "10.214.$(( i / 250 )).$(( i % 250 + 2 ))"; }
light_name() { printf 'hitc-bed-light-%03d' "$1"; }

# ensure_network NAME SUBNET GATEWAY BRIDGE [--internal]
ensure_network() {
  local name=$1 subnet=$2 gw=$3 bridge=$4 internal=false have
  [ "${5:-}" = --internal ] && internal=true
  if have=$(docker network inspect -f '{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}} {{.Internal}}' "$name" 2>/dev/null); then
    [ "$have" = "$subnet $gw $internal" ] && return 0
    log "network $name is '$have', want '$subnet $gw $internal': recreating it"
    remove_containers
    docker network rm "$name" >/dev/null || die "could not remove network $name"
  fi
  local opts=(--driver bridge --subnet "$subnet" --gateway "$gw" --label "$LABEL=1"
    -o "com.docker.network.bridge.name=$bridge")
  [ "$internal" = true ] && opts+=(--internal)
  docker network create "${opts[@]}" "$name" >/dev/null \
    || die "docker network create $name ($subnet) failed: does another network overlap it? (docker network ls)"
}

# Docker's --internal only isolates forwarded traffic: this machine still reaches the inner
# network through the bridge's gateway address. Refuse that locally, as "no route" would.
# `! -o lo`: the ICMP error itself goes to our own 10.215.0.1 (via lo) and must not be
# rejected too, or connects hang until their timeout instead of failing at once.
isolation_rule=(OUTPUT -d "$INNER_SUBNET" ! -o lo -m comment --comment hitc-bed-inner -j REJECT --reject-with icmp-net-unreachable)
ensure_inner_isolation() {
  iptables -w -C "${isolation_rule[@]}" 2>/dev/null && return 0
  iptables -w -I "${isolation_rule[@]:0:1}" 1 "${isolation_rule[@]:1}" \
    || die "iptables: could not block direct access to $INNER_SUBNET"
}
remove_inner_isolation() {
  while iptables -w -C "${isolation_rule[@]}" 2>/dev/null; do
    iptables -w -D "${isolation_rule[@]}" || die "iptables: could not delete the $INNER_SUBNET rule"
  done
}

remove_containers() {   # [ID...]; none given: every container of the bed
  local ids=("$@")
  [ $# -gt 0 ] || mapfile -t ids < <(docker ps -aq --filter "label=$LABEL=1")
  [ ${#ids[@]} -gt 0 ] || return 0
  printf '%s\n' "${ids[@]}" | xargs -r -n 10 -P 4 docker rm -fv >/dev/null \
    || die "docker rm failed for some of: ${ids[*]}"
}

# A container is reused only if it runs exactly what we would start now.
spec_of() {   # ROLE IP...
  printf '%s\n' "$LIGHT_ID" "$AUTHORIZED_KEYS" "$@" | sha256sum | cut -c1-16
}

run_host() {   # NAME ROLE SPEC NETWORK IP [INNER_IP]; output to $TMP/run-NAME.err
  local name=$1 role=$2 spec=$3 net=$4 ip=$5 inner_ip=${6:-}
  local opts=(--name "$name" --hostname "$name" --network "$net" --ip "$ip" --restart no
    --label "$LABEL=1" --label "$LABEL.role=$role" --label "$LABEL.spec=$spec"
    -e "HITC_AUTHORIZED_KEY=$AUTHORIZED_KEYS")
  {
    docker rm -fv "$name" >/dev/null 2>&1 || true
    if [ -z "$inner_ip" ]; then
      docker run -d "${opts[@]}" "$LIGHT_IMAGE" >/dev/null
    else
      # the bastion must be on both networks before sshd starts
      docker create "${opts[@]}" "$LIGHT_IMAGE" >/dev/null &&
        docker network connect --ip "$inner_ip" "$INNER_NET" "$name" &&
        docker start "$name" >/dev/null
    fi
  } 2>"$TMP/run-$name.err" || { echo "$name" >>"$TMP/run-failed"; return 0; }
}

# throttle N: wait until fewer than N background jobs run
throttle() { while [ "$(jobs -rp | wc -l)" -ge "$1" ]; do wait -n || true; done; }

# Desired hosts, one per line: NAME ROLE NETWORK IP [SECOND_NETWORK_IP]
desired_hosts() {
  local i
  for ((i = 1; i <= N; i++)); do echo "$(light_name "$i") light $NET $(light_ip "$i")"; done
  echo "hitc-bed-bastion bastion $NET $BASTION_IP $BASTION_INNER_IP"
  echo "hitc-bed-inner inner $INNER_NET $INNER_IP"
}

start_hosts() {
  declare -A have_spec=() have_id=()
  local id name state spec
  while IFS=$'\t' read -r id name state spec; do
    [ "$state" = running ] && have_spec[$name]=$spec
    have_id[$name]=$id
  done < <(docker ps -a --filter "label=$LABEL=1" --format "{{.ID}}\t{{.Names}}\t{{.State}}\t{{.Label \"$LABEL.spec\"}}")

  declare -A wanted=()
  local role net ip ip2 todo=() reused=0
  while read -r name role net ip ip2; do
    wanted[$name]=1
    spec=$(spec_of "$role" "$ip" "$ip2")
    if [ "${have_spec[$name]:-}" = "$spec" ]; then
      reused=$((reused + 1))
    else
      todo+=("$name $role $spec $net $ip $ip2")
    fi
  done < <(desired_hosts)

  local extra=()
  for name in "${!have_id[@]}"; do
    [ -n "${wanted[$name]:-}" ] || extra+=("${have_id[$name]}")
  done
  if [ ${#extra[@]} -gt 0 ]; then
    log "removing ${#extra[@]} container(s) not in the bed any more"
    remove_containers "${extra[@]}"
  fi

  log "hosts: $reused reused, ${#todo[@]} to (re)create"
  [ ${#todo[@]} -gt 0 ] || return 0
  local t0 line; t0=$(now)
  rm -f "$TMP/run-failed"
  for line in "${todo[@]}"; do
    throttle "$DOCKER_RUN_PARALLEL"
    # shellcheck disable=SC2086 # the line is our own "name role spec net ip [ip2]"
    run_host $line &
  done
  wait
  if [ -s "$TMP/run-failed" ]; then
    local first; first=$(head -1 "$TMP/run-failed")
    die "docker run failed for $(wc -l <"$TMP/run-failed") host(s): $(tr '\n' ' ' <"$TMP/run-failed")— $first: $(tail -3 "$TMP/run-$first.err")"
  fi
  log "started ${#todo[@]} container(s) in $(since "$t0") s"
  # A rebuilt image's predecessor could not be pruned while these containers still used it.
  docker image prune -f --filter "label=$LABEL=1" >/dev/null 2>&1 || true
}

# One login as root per host until it works or the shared deadline passes.
probe() {   # NAME IP [ssh options...]
  local name=$1 ip=$2; shift 2
  until ssh -F "$SSH_CONFIG" "${FAST_KEX[@]}" -o ConnectTimeout=5 "$@" "root@$ip" true </dev/null 2>"$TMP/probe-$name.err"; do
    if [ "$(date +%s)" -ge "$PROBE_DEADLINE" ]; then
      echo "$name ($ip): $(tail -1 "$TMP/probe-$name.err")" >>"$TMP/probe-failed"
      return 0
    fi
    sleep 0.3
  done
}

wait_ssh() {
  local t0 name role net ip ip2; t0=$(now)
  PROBE_DEADLINE=$(( $(date +%s) + SSH_READY_TIMEOUT ))
  rm -f "$TMP/probe-failed"
  while read -r name role net ip ip2; do
    [ "$role" = inner ] && continue   # needs the bastion: probed below
    throttle "$PROBE_PARALLEL"
    probe "$name" "$ip" &
  done < <(desired_hosts)
  wait
  if [ ! -s "$TMP/probe-failed" ]; then
    probe hitc-bed-inner "$INNER_IP" -J "root@$BASTION_IP"
  fi
  [ ! -s "$TMP/probe-failed" ] ||
    die "no SSH login within ${SSH_READY_TIMEOUT} s on $(wc -l <"$TMP/probe-failed") host(s):"$'\n'"$(cat "$TMP/probe-failed")"
  log "all $((N + 2)) hosts accept SSH ($(since "$t0") s)"
}

# ---------------------------------------------------------------------------------------------
# check: the contract the tests rely on, verified against the running bed

bed_ssh() { ssh -F "$SSH_CONFIG" "${FAST_KEX[@]}" -o ConnectTimeout=10 "$@" </dev/null; }

cmd_check() {
  [ -s "$KEY" ] && [ -s "$SSH_CONFIG" ] || die "no key/ssh_config in $STATE: run bed.sh up"
  local h out t0; t0=$(now)
  h=${1:-$(head -1 "$HOSTS_TXT" 2>/dev/null || true)}
  h=${h:-$BASTION_IP}

  out=$(bed_ssh "root@$h" 'id -un' 2>&1) && [ "$out" = root ] || die "root@$h: $out"
  out=$(bed_ssh "ubuntu@$h" 'sudo -n id -un' 2>&1) && [ "$out" = root ] \
    || die "ubuntu@$h: passwordless sudo failed: $out"

  if out=$(bed_ssh "deploy@$h" 'sudo -n true' 2>&1); then
    die "deploy@$h: sudo -n succeeded, but deploy's sudo must need a password"
  fi
  [[ "$out" == *"a password is required"* ]] || die "deploy@$h: unexpected sudo -n failure: $out"
  # The second, cached-credential sudo must fail again: every sudo has to prompt.
  out=$(bed_ssh "deploy@$h" "echo $DEPLOY_PASSWORD | sudo -S -p '' id -un && ! sudo -n true 2>/dev/null" 2>&1) \
    && [ "$out" = root ] || die "deploy@$h: sudo with password (or timestamp_timeout=0) failed: $out"

  # The passphrase key: encrypted, and it logs in once the passphrase is given.
  ssh-keygen -y -P '' -f "$PASS_KEY" >/dev/null 2>&1 && die "$PASS_KEY is not passphrase-protected"
  printf '#!/bin/sh\necho %s\n' "$PASS_KEY_PASSPHRASE" >"$TMP/askpass"
  chmod 700 "$TMP/askpass"
  out=$(SSH_ASKPASS=$TMP/askpass SSH_ASKPASS_REQUIRE=force ssh -F /dev/null "${FAST_KEX[@]}" \
      -o ConnectTimeout=10 -o IdentitiesOnly=yes -o IdentityFile="$PASS_KEY" \
      -o UserKnownHostsFile="$KNOWN_HOSTS" -o StrictHostKeyChecking=yes -o PasswordAuthentication=no \
      "root@$h" 'id -un' </dev/null 2>&1) && [ "$out" = root ] \
    || die "root@$h with the passphrase key failed: $out"

  out=$(bed_ssh -J "root@$BASTION_IP" "root@$INNER_IP" 'hostname' 2>&1) && [ "$out" = hitc-bed-inner ] \
    || die "ssh -J root@$BASTION_IP root@$INNER_IP failed: $out"
  if out=$(bed_ssh -o ConnectTimeout=3 "root@$INNER_IP" true 2>&1); then
    die "the inner host $INNER_IP is reachable directly from this machine; it must need the bastion"
  fi
  [[ "$out" == *"unreachable"* ]] || die "direct ssh to $INNER_IP should fail with 'Network is unreachable', got: $out"
  # and the inner host really has no other way out: it is on the internal network only
  local nets; nets=$(docker inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' hitc-bed-inner)
  [ "$nets" = "$INNER_NET " ] || die "hitc-bed-inner is attached to '$nets', want only $INNER_NET"

  log "contract checks passed on $h, bastion $BASTION_IP, inner $INNER_IP ($(since "$t0") s)"
}

write_state() {
  local ips=() i
  for ((i = 1; i <= N; i++)); do ips+=("$(light_ip "$i")"); done
  if [ ${#ips[@]} -gt 0 ]; then
    printf '%s\n' "${ips[@]}" | sort -t. -k1,1n -k2,2n -k3,3n -k4,4n >"$HOSTS_TXT"
  else
    : >"$HOSTS_TXT"
  fi
  local hosts_json
  hosts_json=$(awk 'BEGIN { ORS = "" } { print (NR > 1 ? ", " : "") "\"" $0 "\"" }' "$HOSTS_TXT")
  cat >"$STATE_JSON.tmp" <<EOF
{
  "key": "$KEY",
  "passKey": "$PASS_KEY",
  "passKeyPassphrase": "$PASS_KEY_PASSPHRASE",
  "knownHosts": "$KNOWN_HOSTS",
  "hostKeyLine": "$(grep '^ssh-ed25519 ' "$STATE/host_keys.pub")",
  "hosts": [$hosts_json],
  "bastion": "$BASTION_IP",
  "inner": "$INNER_IP",
  "unreachable": "$UNREACHABLE_IP",
  "users": { "root": {}, "ubuntu": { "sudo": "nopasswd" }, "deploy": { "sudo": "password", "password": "$DEPLOY_PASSWORD" } }
}
EOF
  mv "$STATE_JSON.tmp" "$STATE_JSON"
}

cmd_up() {
  N=${1:-50}
  [[ "$N" =~ ^[0-9]+$ ]] && [ "$N" -le "$MAX_HOSTS" ] || die "usage: bed.sh up [N], 0 <= N <= $MAX_HOSTS (got '$N')"
  local t0; t0=$(now)
  # While the bed changes, no state file: a test must not read a stale one.
  rm -f "$STATE_JSON" "$HOSTS_TXT"
  cmd_prepare
  LIGHT_ID=$(image_id "$LIGHT_IMAGE")
  AUTHORIZED_KEYS=$(cat "$KEY.pub" "$PASS_KEY.pub")
  write_ssh_files
  ensure_network "$NET" "$NET_SUBNET" "$NET_GW" hitc-bed0
  ensure_network "$INNER_NET" "$INNER_SUBNET" "$INNER_GW" hitc-bed1 --internal
  ensure_inner_isolation
  start_hosts
  wait_ssh
  if [ "$N" -gt 0 ]; then cmd_check "$(light_ip 1)"; else cmd_check "$BASTION_IP"; fi
  write_state
  log "bed up: $N light hosts + bastion $BASTION_IP + inner $INNER_IP in $(since "$t0") s; state: $STATE_JSON"
}

cmd_down() {
  need_root
  local t0; t0=$(now)
  rm -f "$STATE_JSON" "$HOSTS_TXT"
  ensure_dockerd
  local n; n=$(docker ps -aq --filter "label=$LABEL=1" | wc -l)
  remove_containers
  local net
  for net in "$NET" "$INNER_NET"; do
    if docker network inspect "$net" >/dev/null 2>&1; then
      docker network rm "$net" >/dev/null || die "could not remove network $net (docker network inspect $net)"
    fi
  done
  remove_inner_isolation
  log "bed down: $n container(s) and the networks removed in $(since "$t0") s (images, keys, cache kept)"
}

cmd_status() {
  [ -s "$STATE_JSON" ] || die "no $STATE_JSON: the bed is not up (bed.sh up)"
  cat "$STATE_JSON"
}

case ${1:-} in
  prepare) lock; cmd_prepare; log "prepared: $BASE_IMAGE, $LIGHT_IMAGE, keys in $STATE" ;;
  up) lock; cmd_up "${2:-50}" ;;
  check) need_root; ensure_dockerd; cmd_check "${2:-}" ;;
  down) lock; cmd_down ;;
  status) cmd_status ;;
  *) die "usage: bed.sh prepare | up [N] | check [IP] | down | status" ;;
esac
