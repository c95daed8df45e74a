#!/usr/bin/env bash
# hitc test bed: real sshd "servers" in docker containers on this machine.
#
#   bed.sh prepare   packages, dockerd, keys, images (each rebuilt when its inputs change)
#   bed.sh up [N]    prepare + N light hosts (default 50) + bastion + inner host
#                    + HITC_BED_DOCKER_HOSTS (default 2) Docker hosts + 1 bare host (recreated
#                    every time) + the local registry with the app images; waits for SSH and the
#                    inner dockerds, checks the users/sudo/keys/bastion/docker contract, writes
#                    state/bed.json
#   bed.sh check     the contract checks alone, against a bed that is up
#   bed.sh down      removes the bed's containers and networks, stops the registry (keeps
#                    images, keys, cache, registry data)
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
IMAGES_DIR=$BED_DIR/images
LIGHT_DIR=$IMAGES_DIR/light
BARE_IMAGE=hitc-bed-bare:latest       # light + what a Docker installed later needs (images/bare)
DOCKER_IMAGE=hitc-bed-docker:latest   # light + docker.io, inner dockerd (images/docker)

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
# Docker host i gets 10.214.253.(i+1); the bare host 10.214.252.2. Light hosts stop at 10.214.3.x.
DOCKER_HOSTS=${HITC_BED_DOCKER_HOSTS:-2}
MAX_DOCKER_HOSTS=250
BARE_HOST=${HITC_BED_BARE_HOST:-1}   # 0: no bare host
BARE_IP=10.214.252.2
DOCKERD_TIMEOUT=${HITC_BED_DOCKERD_TIMEOUT:-60}
# What the inner dockerds give their containers (docker0's default subnet): app-sshd
# containers have the bed's host keys, and known_hosts/ssh_config cover this pattern too.
INNER_CONTAINERS_PATTERN='172.17.*.*'

# Debian's docker-registry, run by this script on the hitc-bed gateway address: reachable from
# every host (and, through their NAT, from the containers inside them), not from outside.
REGISTRY=$NET_GW:5000
REGISTRY_DATA=${HITC_BED_REGISTRY_DATA:-$CACHE/registry}
REGISTRY_CONFIG=$STATE/registry.yml
REGISTRY_PID=$STATE/registry.pid
REGISTRY_LOG=$STATE/registry.log
APP_HTTPD_IMAGE=$REGISTRY/hitc/app-httpd:latest   # busybox httpd, ~2 MB (built here, no base)
# the same httpd serving another page, and one whose command prints a few lines and exits 1:
# two builds of an app for ensemble swaps (made with the httpd image, same files otherwise)
APP_HTTPD_V2_IMAGE=$REGISTRY/hitc/app-httpd:v2
APP_BROKEN_IMAGE=$REGISTRY/hitc/app-httpd:broken
APP_SSHD_IMAGE=$REGISTRY/hitc/app-sshd:latest     # base + openssh-server (images/app-sshd)

KEY=$STATE/id_ed25519
PASS_KEY=$STATE/id_ed25519_pass
PASS_KEY_PASSPHRASE=hitc-key-pass
DEPLOY_PASSWORD=hitc-deploy-pw   # must match images/light/Dockerfile
KNOWN_HOSTS=$STATE/known_hosts
SSH_CONFIG=$STATE/ssh_config
STATE_JSON=$STATE/bed.json
HOSTS_TXT=$STATE/hosts.txt

LABEL=hitc.bed
# graphviz: the unit tests feed the plan's dot graphs to `dot` (test/ensemble/plan/plan-graph.test.ts)
PACKAGES=(docker.io debootstrap openssh-client zstd curl iptables docker-registry busybox-static jq rsync iputils-ping graphviz)
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

# daemonize LOG PIDFILE CMD...: start CMD detached (PIDFILE may be empty).
# setsid + subshell: the daemon must outlive this script and not be one of its jobs. A daemon
# (and dockerd's containerd-shims) would also keep every fd it inherits for its whole life:
# our lock (a later bed.sh would wait forever) or a caller's pipe (a test runner would never
# see EOF). So only 0-2 are passed on.
daemonize() {
  local logf=$1 pidfile=$2; shift 2
  (
    for fd in /proc/self/fd/*; do
      fd=${fd##*/}
      [ "$fd" -gt 2 ] && eval "exec $fd>&-"
    done
    setsid nohup "$@" >>"$logf" 2>&1 </dev/null &
    # no job control here, so setsid need not fork: $! is the daemon itself
    [ -z "$pidfile" ] || echo $! >"$pidfile"
  )
}

ensure_dockerd() {
  command -v docker >/dev/null || die "no docker client on PATH"
  docker info >/dev/null 2>&1 && return 0
  command -v dockerd >/dev/null || die "no dockerd on PATH (package docker.io)"
  # A dockerd that is still starting must not get a twin (they would fight over the pidfile).
  if ! pgrep -x dockerd >/dev/null; then
    log "starting dockerd (no init system here; log: $STATE/dockerd.log)"
    daemonize "$STATE/dockerd.log" '' dockerd
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

image_hash_label() { docker image inspect -f "{{index .Config.Labels \"$LABEL.hash\"}}" "$1" 2>/dev/null || true; }

# ensure_built_image IMAGE DOCKERFILE "PARENT_IMAGES" "FILES" [BUILD_ARG=VALUE...]
# Builds IMAGE from images/DOCKERFILE with images/ as the context, unless its label hitc.bed.hash
# already matches its inputs: the ids of the images it uses, its FILES (relative to images/)
# and its build args. Does not prune: that would race with builds running beside it.
ensure_built_image() {
  local image=$1 dockerfile=$2 parents=$3 files=$4; shift 4
  local want have p name
  # shellcheck disable=SC2086 # word lists of our own
  want=$( {
    for p in $parents; do image_id "$p"; done
    (cd "$IMAGES_DIR" && sha256sum $files)
    printf '%s\n' "$@"
  } | sha256sum | cut -c1-16)
  have=$(image_hash_label "$image")
  [ "$want" = "$have" ] && return 0
  name=${image%:*}; name=${name##*/}
  log "building $image (inputs ${have:-absent} -> $want; log: $STATE/build-$name.log)"
  local t0 args=() a; t0=$(now)
  for a in "$@"; do args+=(--build-arg "$a"); done
  docker build --label "$LABEL.hash=$want" "${args[@]}" -f "$IMAGES_DIR/$dockerfile" -t "$image" "$IMAGES_DIR" \
      >"$STATE/build-$name.log" 2>&1 \
    || { tail -30 "$STATE/build-$name.log" >&2; die "docker build of $image failed (log: $STATE/build-$name.log)"; }
  log "built $image in $(since "$t0") s"
}

# hitc/app-httpd: busybox-static's httpd serving /www, imported from a 2 MB rootfs (no base).
make_app_httpd() {   # HASH
  local dir busybox a
  busybox=$(dpkg -L busybox-static | grep -m1 '/bin/busybox$') || die "busybox-static has no /bin/busybox"
  dir=$(mktemp -d "$TMP/app-httpd.XXXXXX")
  chmod 755 "$dir"
  mkdir -p "$dir/bin" "$dir/www" "$dir/etc" "$dir/tmp"
  chmod 1777 "$dir/tmp"
  cp "$busybox" "$dir/bin/busybox"
  for a in $("$busybox" --list); do
    [ "$a" = busybox ] || ln -s busybox "$dir/bin/$a"
  done
  cp "$IMAGES_DIR/app-httpd/index.html" "$dir/www/index.html"
  chmod 644 "$dir/www/index.html"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$dir/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/etc/group"
  tar --numeric-owner --owner=0 --group=0 -C "$dir" -c . | docker import \
      --change "LABEL $LABEL=1" --change "LABEL $LABEL.hash=$1" \
      --change 'ENV PATH=/bin' --change 'EXPOSE 80' --change 'WORKDIR /' \
      --change 'CMD ["/bin/busybox", "httpd", "-f", "-v", "-p", "80", "-h", "/www"]' \
      - "$APP_HTTPD_IMAGE" >/dev/null \
    || die "docker import of $APP_HTTPD_IMAGE failed"
  printf '<html><body>hitc app v2</body></html>\n' >"$dir/www/index.html"
  tar --numeric-owner --owner=0 --group=0 -C "$dir" -c . | docker import \
      --change "LABEL $LABEL=1" --change 'ENV PATH=/bin' --change 'EXPOSE 80' --change 'WORKDIR /' \
      --change 'CMD ["/bin/busybox", "httpd", "-f", "-v", "-p", "80", "-h", "/www"]' \
      - "$APP_HTTPD_V2_IMAGE" >/dev/null \
    || die "docker import of $APP_HTTPD_V2_IMAGE failed"
  tar --numeric-owner --owner=0 --group=0 -C "$dir" -c . | docker import \
      --change "LABEL $LABEL=1" --change 'ENV PATH=/bin' --change 'EXPOSE 80' --change 'WORKDIR /' \
      --change 'CMD ["/bin/sh", "-c", "echo broken build starting; echo cannot read /etc/app.conf >&2; exit 1"]' \
      - "$APP_BROKEN_IMAGE" >/dev/null \
    || die "docker import of $APP_BROKEN_IMAGE failed"
  rm -rf "$dir"
}

ensure_app_httpd_image() {
  local want have busybox
  busybox=$(dpkg -L busybox-static | grep -m1 '/bin/busybox$') || die "busybox-static has no /bin/busybox"
  want=$( {
    declare -f make_app_httpd
    sha256sum "$busybox" "$IMAGES_DIR/app-httpd/index.html" | cut -c1-64
  } | sha256sum | cut -c1-16)
  have=$(image_hash_label "$APP_HTTPD_IMAGE")
  [ "$want" = "$have" ] && return 0
  log "building $APP_HTTPD_IMAGE (inputs ${have:-absent} -> $want)"
  make_app_httpd "$want"
}

# The images that build on the light one (and the app images), in parallel: on a cold machine
# their apt downloads overlap. Layer cache as usual; each one rebuilds only if its inputs changed.
ensure_more_images() {
  local pids=() names=() i failed=()
  ensure_built_image "$BARE_IMAGE" bare/Dockerfile "$LIGHT_IMAGE" \
      "bare/Dockerfile common/priv-entrypoint common/hitc-fix-initd" \
      "APT_LISTS_EPOCH=$(date -u +%Y-%m)" &
  pids+=($!); names+=("$BARE_IMAGE")
  ensure_built_image "$DOCKER_IMAGE" docker/Dockerfile "$LIGHT_IMAGE" \
      "docker/Dockerfile common/priv-entrypoint common/hitc-fix-initd" &
  pids+=($!); names+=("$DOCKER_IMAGE")
  # app-sshd: the bed's keys for root, and the light image's host keys
  ensure_built_image "$APP_SSHD_IMAGE" app-sshd/Dockerfile "$BASE_IMAGE $LIGHT_IMAGE" app-sshd/Dockerfile \
      "AUTHORIZED_KEYS=$(cat "$KEY.pub" "$PASS_KEY.pub")" &
  pids+=($!); names+=("$APP_SSHD_IMAGE")
  ensure_app_httpd_image &
  pids+=($!); names+=("$APP_HTTPD_IMAGE")
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || failed+=("${names[$i]}")
  done
  [ ${#failed[@]} -eq 0 ] || die "could not build: ${failed[*]}"
  # Earlier builds are now untagged; drop them unless a container still uses them.
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
  ensure_keys
  ensure_base_image
  ensure_light_image
  ensure_more_images
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
  # The Docker and bare hosts are built on the light image and app-sshd copies its host keys,
  # so these lines cover them too (app-sshd containers: the inner dockerds' 172.17.*.*).
  {
    host_keys | awk '{ print "10.214.*.*,10.215.*.*", $1, $2 }'
    host_keys | awk -v p="$INNER_CONTAINERS_PATTERN" '{ print p, $1, $2 }'
  } >"$KNOWN_HOSTS.tmp"
  mv "$KNOWN_HOSTS.tmp" "$KNOWN_HOSTS"
  local settings="  User root
  IdentityFile $KEY
  IdentitiesOnly yes
  UserKnownHostsFile $KNOWN_HOSTS
  StrictHostKeyChecking yes
  BatchMode yes
  KexAlgorithms curve25519-sha256"
  cat >"$SSH_CONFIG" <<EOF
# hitc test bed (written by bed.sh up). Usage: ssh -F $SSH_CONFIG root@10.214.0.2
# The inner host (10.215.*) is reachable only through the bastion: add -J root@$BASTION_IP
Host 10.214.*.* 10.215.*.*
$settings

# app-sshd containers inside a Docker host: add -J root@<docker host>, e.g. -J root@$(docker_ip 1)
Host $INNER_CONTAINERS_PATTERN
$settings
EOF
}

light_ip() { local i=$(( $1 - 1 )); echo "10.214.$(( i / 250 )).$(( i % 250 + 2 ))"; }
light_name() { printf 'hitc-bed-light-%03d' "$1"; }
docker_ip() { echo "10.214.253.$(( $1 + 1 ))"; }
docker_name() { printf 'hitc-bed-docker-%03d' "$1"; }

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

# ---------------------------------------------------------------------------------------------
# registry: Debian's docker-registry, run by hand (no init system), with the app images

registry_up() { curl -fsS -m 2 -o /dev/null "http://$REGISTRY/v2/" 2>/dev/null; }

# The pid in $REGISTRY_PID, if that process is still our registry.
registry_pid() {
  local pid; pid=$(cat "$REGISTRY_PID" 2>/dev/null) || return 0
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF "docker-registry serve $REGISTRY_CONFIG" && echo "$pid"
  return 0
}

stop_registry() {
  local pid i; pid=$(registry_pid)
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$REGISTRY_PID"
}

ensure_registry() {
  registry_up && return 0
  command -v docker-registry >/dev/null || die "no docker-registry on PATH (package docker-registry)"
  stop_registry   # ours, but not answering (e.g. its address went away with the network)
  # Where an init system exists the package starts its own instance on *:5000, which would hold
  # our port. Only that exact instance is stopped, through its own init script.
  if pgrep -f '^/usr/bin/docker-registry serve /etc/docker/registry/config.yml' >/dev/null \
      && [ -x /etc/init.d/docker-registry ]; then
    log "stopping the docker-registry package's own instance (it holds port 5000)"
    /etc/init.d/docker-registry stop >/dev/null 2>&1 || true
  fi
  mkdir -p "$REGISTRY_DATA"
  cat >"$REGISTRY_CONFIG" <<EOF
# hitc test bed registry (written by bed.sh up)
version: 0.1
log:
  level: warn
  accesslog: {disabled: true}
  fields: {service: registry}
storage:
  cache: {blobdescriptor: inmemory}
  filesystem: {rootdirectory: $REGISTRY_DATA}
  delete: {enabled: true}
http:
  addr: $REGISTRY
  secret: hitc-bed-not-secret
EOF
  log "starting the registry on $REGISTRY (data: $REGISTRY_DATA; log: $REGISTRY_LOG)"
  daemonize "$REGISTRY_LOG" "$REGISTRY_PID" docker-registry serve "$REGISTRY_CONFIG"
  local deadline=$(( $(date +%s) + 15 ))
  until registry_up; do
    if [ "$(date +%s)" -ge "$deadline" ] || [ -z "$(registry_pid)" ]; then
      tail -5 "$REGISTRY_LOG" >&2 || true
      die "the registry did not answer on http://$REGISTRY/v2/ (log: $REGISTRY_LOG)"
    fi
    sleep 0.2
  done
}

# Pushing over plain HTTP needs the machine's dockerd to list the registry as insecure. That
# option is reloadable: merge it into /etc/docker/daemon.json and send SIGHUP.
ensure_outer_insecure_registry() {
  outer_trusts_registry() {
    docker info --format '{{json .RegistryConfig.IndexConfigs}}' 2>/dev/null | grep -qF "\"$REGISTRY\""
  }
  outer_trusts_registry && return 0
  local f=/etc/docker/daemon.json cur='{}' pid
  mkdir -p /etc/docker
  [ -s "$f" ] && cur=$(cat "$f")
  jq --arg r "$REGISTRY" \
      '.["insecure-registries"] = ((.["insecure-registries"] // []) | if index([$r]) then . else . + [$r] end)' \
      <<<"$cur" >"$f.hitc-bed.tmp" \
    || { rm -f "$f.hitc-bed.tmp"; die "$f is not valid JSON; add \"insecure-registries\": [\"$REGISTRY\"] by hand"; }
  mv "$f.hitc-bed.tmp" "$f"
  pid=$(pgrep -xo dockerd) || die "no dockerd process to reload"
  log "the machine's dockerd now trusts $REGISTRY (insecure-registries in $f, SIGHUP to $pid)"
  kill -HUP "$pid"
  local i
  for i in $(seq 1 40); do outer_trusts_registry && return 0; sleep 0.25; done
  die "dockerd did not pick up insecure-registries from $f after SIGHUP: restart dockerd (is the option also given as a flag?)"
}

# Pushes IMAGE unless the registry already serves exactly this image under its tag.
push_image() {
  local image=$1 repo tag digest
  repo=${image#"$REGISTRY"/}; tag=${repo##*:}; repo=${repo%:*}
  digest=$(curl -fsSI -m 5 -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
      "http://$REGISTRY/v2/$repo/manifests/$tag" 2>/dev/null \
    | tr -d '\r' | awk -F': ' 'tolower($1) == "docker-content-digest" { print $2 }') || true
  if [ -n "$digest" ] && docker image inspect -f '{{range .RepoDigests}}{{println .}}{{end}}' "$image" \
      | grep -qxF "${image%:*}@$digest"; then
    return 0
  fi
  log "pushing $image"
  docker push -q "$image" >"$TMP/push.log" 2>&1 || { cat "$TMP/push.log" >&2; die "docker push $image failed"; }
}

# ---------------------------------------------------------------------------------------------
# privileged hosts: `docker run --privileged` asks for every capability. This machine's
# capability bounding set lacks CAP_SYS_RESOURCE, and there runc fails ("unable to apply caps").
# Then it is emulated: every capability dockerd has, no seccomp/AppArmor, unmasked /proc, all
# devices; the image's entrypoint makes /sys and the cgroups writable. Sets PRIV_OPTS.

CAP_NAMES=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP
  LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER SYS_MODULE
  SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME
  SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG
  WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF CHECKPOINT_RESTORE)

privileged_opts() {
  local pid bnd key mode f=$STATE/privileged-mode
  pid=$(pgrep -xo dockerd) || die "no dockerd process"
  bnd=$(awk '/^CapBnd:/ { print $2 }' "/proc/$pid/status")
  # The probe's answer holds as long as dockerd's version and capabilities do.
  key="$(docker version -f '{{.Server.Version}}' 2>/dev/null) $bnd"
  if [ "$(sed -n 1p "$f" 2>/dev/null)" = "$key" ]; then
    mode=$(sed -n 2p "$f")
  else
    if docker run --rm --privileged --network none --entrypoint /bin/true "$LIGHT_IMAGE" >/dev/null 2>&1; then
      mode=privileged
    else
      mode=emulated
    fi
    printf '%s\n%s\n' "$key" "$mode" >"$f"
  fi
  PRIV_OPTS=(--cgroupns private)
  if [ "$mode" = privileged ]; then
    PRIV_OPTS+=(--privileged)
    return 0
  fi
  local last i
  last=$(cat /proc/sys/kernel/cap_last_cap 2>/dev/null || echo 37)
  PRIV_OPTS+=(--cap-add ALL)
  for i in "${!CAP_NAMES[@]}"; do
    [ "$i" -le "$last" ] || break
    (( (16#$bnd >> i) & 1 )) || PRIV_OPTS+=(--cap-drop "${CAP_NAMES[$i]}")
  done
  PRIV_OPTS+=(--security-opt seccomp=unconfined --security-opt apparmor=unconfined
    --security-opt systempaths=unconfined --device-cgroup-rule 'a *:* rwm')
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

# Docker and bare hosts: also their image, how they are made privileged, and the registry.
host_spec() {   # ROLE IP [IP2]
  case $1 in
    docker) spec_of "$1" "$2" "${3:-}" "$DOCKER_ID" "${PRIV_OPTS[*]}" "$REGISTRY" ;;
    bare) spec_of "$1" "$2" "${3:-}" "$BARE_ID" "${PRIV_OPTS[*]}" ;;
    *) spec_of "$1" "$2" "${3:-}" ;;
  esac
}

# A reused Docker host must still have a working dockerd (a test may have stopped it).
dockerd_alive() {   # NAME
  timeout 15 docker exec "$1" docker version -f '{{.Server.Version}}' </dev/null >/dev/null 2>&1
}

run_host() {   # NAME ROLE SPEC NETWORK IP [INNER_IP]; output to $TMP/run-NAME.err
  local name=$1 role=$2 spec=$3 net=$4 ip=$5 inner_ip=${6:-}
  local opts=(--name "$name" --hostname "$name" --network "$net" --ip "$ip" --restart no
    --label "$LABEL=1" --label "$LABEL.role=$role" --label "$LABEL.spec=$spec"
    -e "HITC_AUTHORIZED_KEY=$AUTHORIZED_KEYS")
  local image=$LIGHT_IMAGE
  case $role in
    # /var/lib/docker on a volume: overlay2 cannot sit on the container's overlay root.
    # `docker rm -v` (below and in `down`) deletes the volume with the container.
    docker) image=$DOCKER_IMAGE
      opts+=("${PRIV_OPTS[@]}" --mount type=volume,dst=/var/lib/docker -e "HITC_BED_REGISTRY=$REGISTRY") ;;
    bare) image=$BARE_IMAGE
      opts+=("${PRIV_OPTS[@]}" --mount type=volume,dst=/var/lib/docker) ;;
  esac
  {
    docker rm -fv "$name" >/dev/null 2>&1 || true
    if [ -z "$inner_ip" ]; then
      docker run -d "${opts[@]}" "$image" >/dev/null
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
  for ((i = 1; i <= DOCKER_HOSTS; i++)); do echo "$(docker_name "$i") docker $NET $(docker_ip "$i")"; done
  [ "$BARE_HOST" = 0 ] || echo "hitc-bed-bare bare $NET $BARE_IP"
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
    spec=$(host_spec "$role" "$ip" "$ip2")
    # The bare host starts pristine every time: tests install Docker on it.
    if [ "$role" != bare ] && [ "${have_spec[$name]:-}" = "$spec" ] \
        && { [ "$role" != docker ] || dockerd_alive "$name"; }; then
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
  log "all $(desired_hosts | wc -l) hosts accept SSH ($(since "$t0") s)"
}

# Docker hosts: the inner dockerd answers and pulls from the registry. Bare host: no Docker yet.
# Through SSH, as a test would see them.
check_docker_host() {   # NAME IP
  local name=$1 ip=$2
  bed_ssh -o ConnectTimeout=10 "root@$ip" "
    for i in \$(seq 1 $((DOCKERD_TIMEOUT * 10))); do
      [ -f /run/hitc/dockerd.ready ] && break
      if [ -f /run/hitc/dockerd.failed ]; then cat /run/hitc/dockerd.failed; tail -5 /var/log/dockerd.log; exit 1; fi
      sleep 0.1
    done
    [ -f /run/hitc/dockerd.ready ] || { echo 'no dockerd after $DOCKERD_TIMEOUT s'; tail -5 /var/log/dockerd.log; exit 1; }
    docker info --format '{{.ServerVersion}} {{.Driver}}' >/dev/null || exit 1
    # the pull must work; an image that was not there before is removed again
    had=\$(docker image inspect -f . $APP_HTTPD_IMAGE 2>/dev/null || true)
    docker pull -q $APP_HTTPD_IMAGE >/dev/null || exit 1
    [ -n \"\$had\" ] || docker rmi $APP_HTTPD_IMAGE >/dev/null
    cat /run/hitc/dockerd.ready
  " >"$TMP/docker-$name.out" 2>&1 || echo "$name ($ip): $(tail -3 "$TMP/docker-$name.out" | tr '\n' ' ')" >>"$TMP/docker-failed"
}

check_bare_host() {   # NAME IP
  local out
  out=$(bed_ssh -o ConnectTimeout=10 "root@$2" \
      'if command -v docker; then exit 1; fi; cat /proc/sys/net/ipv4/ip_forward; test -x /usr/local/sbin/hitc-fix-initd' 2>&1) \
      && [ "$out" = 0 ] \
    || echo "$1 ($2): not a pristine bare host (want no docker, ip_forward 0): $out" >>"$TMP/docker-failed"
}

wait_docker_hosts() {
  local t0 name role net ip ip2 n=0; t0=$(now)
  rm -f "$TMP/docker-failed"
  while read -r name role net ip ip2; do
    case $role in
      docker) check_docker_host "$name" "$ip" & n=$((n + 1)) ;;
      bare) check_bare_host "$name" "$ip" & ;;
    esac
  done < <(desired_hosts)
  wait
  [ ! -s "$TMP/docker-failed" ] || die "Docker/bare host check failed:"$'\n'"$(cat "$TMP/docker-failed")"
  [ "$n" -gt 0 ] || return 0
  log "$n inner dockerd(s) answer and pull $APP_HTTPD_IMAGE ($(since "$t0") s; ready $(cat "$TMP"/docker-*.out | tr '\n' ' ')s after container start)"
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
  check_docker_contract
}

# On the first Docker host: root runs docker; ubuntu is not in the docker group, so it needs
# sudo (as hitc must use it); the registry serves both app images.
check_docker_contract() {
  local d t0 out; t0=$(now)
  d=$(docker ps --filter "label=$LABEL.role=docker" --format '{{.Names}}' | sort | head -1)
  [ -n "$d" ] || return 0
  d=$(docker inspect -f "{{(index .NetworkSettings.Networks \"$NET\").IPAddress}}" "$d")
  out=$(bed_ssh "root@$d" "docker info --format '{{.ServerVersion}}'" 2>&1) || die "root@$d: docker info failed: $out"
  out=$(bed_ssh "ubuntu@$d" 'sudo -n docker ps -q >/dev/null && echo ok' 2>&1) && [ "$out" = ok ] \
    || die "ubuntu@$d: sudo -n docker ps failed: $out"
  if out=$(bed_ssh "ubuntu@$d" 'docker ps -q' 2>&1); then
    die "ubuntu@$d: docker ps works without sudo; ubuntu must not be in the docker group"
  fi
  [[ "$out" == *"permission denied"* ]] || die "ubuntu@$d: unexpected failure of docker ps without sudo: $out"
  local image repo
  for image in "$APP_HTTPD_IMAGE" "$APP_SSHD_IMAGE"; do
    repo=${image#"$REGISTRY"/}
    curl -fsS -m 5 -o /dev/null -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
        "http://$REGISTRY/v2/${repo%:*}/manifests/${repo##*:}" \
      || die "the registry does not serve $image"
  done
  log "docker checks passed on $d: root runs docker, ubuntu needs sudo, registry $REGISTRY serves the app images ($(since "$t0") s)"
}

write_state() {
  local ips=() i
  for ((i = 1; i <= N; i++)); do ips+=("$(light_ip "$i")"); done
  if [ ${#ips[@]} -gt 0 ]; then
    printf '%s\n' "${ips[@]}" | sort -t. -k1,1n -k2,2n -k3,3n -k4,4n >"$HOSTS_TXT"
  else
    : >"$HOSTS_TXT"
  fi
  local hosts_json docker_json="" bare_json=null
  hosts_json=$(awk 'BEGIN { ORS = "" } { print (NR > 1 ? ", " : "") "\"" $0 "\"" }' "$HOSTS_TXT")
  for ((i = 1; i <= DOCKER_HOSTS; i++)); do
    docker_json+="${docker_json:+, }\"$(docker_ip "$i")\""
  done
  [ "$BARE_HOST" = 0 ] || bare_json="\"$BARE_IP\""
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
  "dockerHosts": [$docker_json],
  "bareHost": $bare_json,
  "registry": "$REGISTRY",
  "appImages": { "httpd": "$APP_HTTPD_IMAGE", "httpdV2": "$APP_HTTPD_V2_IMAGE", "broken": "$APP_BROKEN_IMAGE", "sshd": "$APP_SSHD_IMAGE" },
  "users": { "root": {}, "ubuntu": { "sudo": "nopasswd" }, "deploy": { "sudo": "password", "password": "$DEPLOY_PASSWORD" } }
}
EOF
  mv "$STATE_JSON.tmp" "$STATE_JSON"
}

cmd_up() {
  N=${1:-50}
  [[ "$N" =~ ^[0-9]+$ ]] && [ "$N" -le "$MAX_HOSTS" ] || die "usage: bed.sh up [N], 0 <= N <= $MAX_HOSTS (got '$N')"
  [[ "$DOCKER_HOSTS" =~ ^[0-9]+$ ]] && [ "$DOCKER_HOSTS" -le "$MAX_DOCKER_HOSTS" ] \
    || die "HITC_BED_DOCKER_HOSTS must be 0..$MAX_DOCKER_HOSTS (got '$DOCKER_HOSTS')"
  [[ "$BARE_HOST" =~ ^[01]$ ]] || die "HITC_BED_BARE_HOST must be 0 or 1 (got '$BARE_HOST')"
  local t0; t0=$(now)
  # While the bed changes, no state file: a test must not read a stale one.
  rm -f "$STATE_JSON" "$HOSTS_TXT"
  cmd_prepare
  LIGHT_ID=$(image_id "$LIGHT_IMAGE")
  DOCKER_ID=$(image_id "$DOCKER_IMAGE")
  BARE_ID=$(image_id "$BARE_IMAGE")
  AUTHORIZED_KEYS=$(cat "$KEY.pub" "$PASS_KEY.pub")
  write_ssh_files
  ensure_network "$NET" "$NET_SUBNET" "$NET_GW" hitc-bed0
  ensure_network "$INNER_NET" "$INNER_SUBNET" "$INNER_GW" hitc-bed1 --internal
  ensure_inner_isolation
  ensure_registry   # listens on the hitc-bed gateway: after the network
  ensure_outer_insecure_registry
  push_image "$APP_HTTPD_IMAGE"
  push_image "$APP_HTTPD_V2_IMAGE"
  push_image "$APP_BROKEN_IMAGE"
  push_image "$APP_SSHD_IMAGE"
  privileged_opts
  start_hosts
  wait_ssh
  wait_docker_hosts
  if [ "$N" -gt 0 ]; then cmd_check "$(light_ip 1)"; else cmd_check "$BASTION_IP"; fi
  write_state
  log "bed up: $N light hosts + bastion $BASTION_IP + inner $INNER_IP + $DOCKER_HOSTS Docker host(s)$([ "$BARE_HOST" = 0 ] || echo " + bare $BARE_IP"), registry $REGISTRY in $(since "$t0") s; state: $STATE_JSON"
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
      # dockerd sometimes keeps a stale endpoint for a moment after its container is gone
      docker network rm "$net" >/dev/null 2>&1 || { sleep 2; docker network rm "$net" >/dev/null 2>&1; } ||
        log "network $net kept: dockerd still lists an endpoint on it (no container uses it; the next 'up' reuses it)"
    fi
  done
  remove_inner_isolation
  stop_registry
  log "bed down: $n container(s), the networks and the registry removed in $(since "$t0") s (images, keys, cache, registry data kept)"
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
