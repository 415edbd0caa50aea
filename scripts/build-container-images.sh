#!/usr/bin/env bash
# Builds the kit's container images: the kit image (endpoint server, deploy one-shot) and the MiniStack
# emulator image. With `podman` (no registry) they are built on a registry-free Node 22 image made
# from the local Debian base; with `docker` on Docker Hub's node:22 image.
# Layer caching makes a second run fast and leaves the images unchanged.
#
#   scripts/build-container-images.sh podman|docker
set -euo pipefail
cd "$(dirname "$0")/.."

readonly ENGINE=${1:?usage: $0 podman|docker}
readonly NODE_IMAGE=localhost/scones-node:22
readonly KIT_IMAGE=localhost/scones-kit:dev
readonly MINISTACK_IMAGE=localhost/scones-ministack:dev
readonly NPM_VERSION=10.9.9 # the npm that Node 22 ships with
readonly NODE_CONTEXT=.scones/containers/node

log() { echo "[build-container-images] $*"; }

# shellcheck source=scripts/lib/timed.sh
source scripts/lib/timed.sh # the script runs from the repository root (cd above)

build() {
  local tag=$1
  shift
  "$ENGINE" build --quiet --tag "$tag" "$@" >/dev/null
  log "built $tag"
}

# Copies a file only when it changed, so the build context (and the layer cache) stays stable.
copy_if_changed() {
  cmp -s "$1" "$2" || cp "$1" "$2"
}

stage_node_context() {
  mkdir -p "$NODE_CONTEXT"
  copy_if_changed node_modules/node/bin/node "$NODE_CONTEXT/node"
  if [[ ! -f $NODE_CONTEXT/npm.tgz ]]; then
    npm pack --silent "npm@$NPM_VERSION" --pack-destination "$NODE_CONTEXT" >/dev/null
    mv "$NODE_CONTEXT/npm-$NPM_VERSION.tgz" "$NODE_CONTEXT/npm.tgz"
  fi
  # Extra CAs of the host (an egress proxy re-signing TLS); empty when there are none.
  local extra_ca
  extra_ca=$(mktemp)
  shopt -s nullglob
  local certs=(/usr/local/share/ca-certificates/*.crt)
  ((${#certs[@]})) && cat "${certs[@]}" >"$extra_ca"
  copy_if_changed "$extra_ca" "$NODE_CONTEXT/extra-ca.crt"
  rm -f "$extra_ca"
}

main() {
  local base_args=()
  if [[ $ENGINE == podman ]]; then
    timed "stage Node 22 context" stage_node_context
    timed "$NODE_IMAGE" build "$NODE_IMAGE" -f containers/node/Dockerfile "$NODE_CONTEXT"
    base_args=(--build-arg "BASE_IMAGE=$NODE_IMAGE")
  fi
  timed "$MINISTACK_IMAGE" build "$MINISTACK_IMAGE" "${base_args[@]}" -f containers/ministack/Dockerfile .
  timed "$KIT_IMAGE" build "$KIT_IMAGE" "${base_args[@]}" -f containers/kit/Dockerfile .
  # Earlier builds of these images, now untagged (each lockfile change makes a new kit image).
  "$ENGINE" image prune --force --filter label=io.github.scones.kit=true >/dev/null
}

main
