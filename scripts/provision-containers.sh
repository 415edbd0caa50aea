#!/usr/bin/env bash
# Makes the containers tier runnable on a machine without a Docker engine (CI here): Debian's podman
# serving the Docker API, a registry-free Debian base image, Debian's docker-compose, then the kit's
# images. When a Docker engine already answers it only builds the kit's images.
#
# Idempotent: every step checks first and is skipped when already done. Writes the environment the
# tests and the CLI need to .scones/containers.env (source it); exports nothing globally.
#
#   scripts/provision-containers.sh [--no-images]
#   scripts/provision-containers.sh --stop    # stops the podman API service this script started
set -euo pipefail
cd "$(dirname "$0")/.."

readonly PODMAN_SOCKET=/run/podman/podman.sock
readonly BASE_IMAGE=localhost/debian-base:bookworm
readonly ENV_FILE=.scones/containers.env
readonly PODMAN_LOG=/var/log/scones-podman-service.log
readonly PODMAN_PID_FILE=/run/podman/scones-service.pid
build_images=true
[[ ${1:-} == --no-images ]] && build_images=false

log() { echo "[provision-containers] $*"; }

# shellcheck source=scripts/lib/timed.sh
source scripts/lib/timed.sh # the script runs from the repository root (cd above)

# True when the Docker API at the given host (unix:// or tcp://) answers its ping.
engine_answers() {
  local host=$1
  case $host in
    unix://*) curl -sf --max-time 3 --unix-socket "${host#unix://}" http://engine/_ping >/dev/null 2>&1 ;;
    tcp://*) curl -sf --max-time 3 "http://${host#tcp://}/_ping" >/dev/null 2>&1 ;;
    *) return 1 ;;
  esac
}

install_packages() {
  local packages=(podman runc debootstrap docker-compose containernetworking-plugins golang-github-containernetworking-plugin-dnsname iptables catatonit uidmap)
  local missing=()
  for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed' || missing+=("$package")
  done
  if ((${#missing[@]} == 0)); then
    log "packages already installed"
    return
  fi
  log "installing ${missing[*]}"
  apt-get update -qq
  # No recommends: docker-compose would pull in docker.io, podman a desktop session bus. The dnsname
  # plugin lets containers on a compose network find each other by service name (CNI backend).
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# crun fails on this kernel's cgroups and the default rlimits cannot be raised here (issue 5).
configure_podman() {
  local conf=/etc/containers/containers.conf wanted
  wanted=$(
    cat <<'CONF'
# Written by scones' scripts/provision-containers.sh.
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]

[engine]
runtime = "runc"
# No systemd on these machines.
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
  )
  if [[ -f $conf ]] && [[ $(cat "$conf") == "$wanted" ]]; then
    log "$conf already configured"
    return
  fi
  [[ -f $conf && ! -f $conf.orig ]] && cp "$conf" "$conf.orig"
  mkdir -p /etc/containers
  printf '%s\n' "$wanted" >"$conf"
  log "wrote $conf"
}

# No registry: the base image is bootstrapped from Debian's packages.
build_base_image() {
  if podman image exists "$BASE_IMAGE"; then
    log "$BASE_IMAGE already present"
    return
  fi
  local rootfs
  rootfs=$(mktemp -d /var/tmp/scones-debian-base.XXXXXX)
  debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >/dev/null
  tar -C "$rootfs" -c . | podman import --quiet - "$BASE_IMAGE" >/dev/null
  rm -rf "$rootfs"
  log "imported $BASE_IMAGE"
}

start_api_service() {
  if engine_answers "unix://$PODMAN_SOCKET"; then
    log "podman API already answers on $PODMAN_SOCKET"
    return
  fi
  mkdir -p "$(dirname "$PODMAN_SOCKET")"
  setsid nohup podman system service --time=0 "unix://$PODMAN_SOCKET" >>"$PODMAN_LOG" 2>&1 </dev/null &
  echo $! >"$PODMAN_PID_FILE"
  for _ in $(seq 50); do
    engine_answers "unix://$PODMAN_SOCKET" && { log "podman API serving on $PODMAN_SOCKET (log: $PODMAN_LOG)"; return; }
    sleep 0.2
  done
  log "podman API did not answer within 10 s; see $PODMAN_LOG" >&2
  return 1
}

write_env_file() {
  mkdir -p "$(dirname "$ENV_FILE")"
  printf '%s\n' "$@" >"$ENV_FILE"
  log "environment for tests and the CLI ($ENV_FILE):"
  sed 's/^/    /' "$ENV_FILE"
}

# Only the service this script started (its pid file), never another engine.
stop_api_service() {
  [[ -f $PODMAN_PID_FILE ]] || return 0
  local pid
  pid=$(cat "$PODMAN_PID_FILE")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    log "stopped the podman API service (pid $pid)"
  fi
  rm -f "$PODMAN_PID_FILE"
}

main() {
  if [[ ${1:-} == --stop ]]; then
    stop_api_service
    return
  fi
  local total_start=$SECONDS
  local docker_host=${DOCKER_HOST:-unix:///var/run/docker.sock}
  if [[ $docker_host != "unix://$PODMAN_SOCKET" ]] && engine_answers "$docker_host"; then
    log "a Docker engine answers at $docker_host: nothing to provision"
    write_env_file "DOCKER_HOST=$docker_host" "SCONES_DOCKER_SOCKET=${docker_host#unix://}"
    $build_images && timed "kit images" scripts/build-container-images.sh docker
  else
    timed "packages" install_packages
    timed "podman configuration" configure_podman
    timed "base image" build_base_image
    timed "podman API service" start_api_service
    write_env_file "DOCKER_HOST=unix://$PODMAN_SOCKET" \
      TESTCONTAINERS_RYUK_DISABLED=true \
      TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1 \
      COMPOSE_FILE=docker-compose.yml:docker-compose.ministack.yml:docker-compose.podman.yml \
      SCONES_DOCKER_SOCKET=$PODMAN_SOCKET
    $build_images && timed "kit images" scripts/build-container-images.sh podman
  fi
  log "total: $((SECONDS - total_start)) s"
}

main "$@"
