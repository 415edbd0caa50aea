# shellcheck shell=bash
# Runs a step and prints how long it took, through the sourcing script's `log`.
timed() {
  local label=$1 start=$SECONDS
  shift
  "$@"
  log "$label: $((SECONDS - start)) s"
}
