# shellcheck shell=bash
# Shared by image/build.sh and image/check.sh (sourced, not run).
# shellcheck disable=SC2034  # the variables are for the scripts that source this file

# The repository root, whatever the caller's working directory.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IMAGE_DIR="$REPO_ROOT/image"
OVERLAY="$IMAGE_DIR/rootfs-overlay"
# Build output that survives between runs (ignored by git: artifacts/).
ARTIFACTS="$REPO_ROOT/artifacts/image"
# Downloaded root file systems are kept here between runs (root's cache; CI is root).
CACHE_DIR="${APPLIANCE_IMAGE_CACHE:-/var/cache/appliance-image}"
SUITE=bookworm

STEP_START=$SECONDS
step() {
  printf '\n==> [%s] %s\n' "$(date +%H:%M:%S)" "$*"
  STEP_START=$SECONDS
}
done_step() { printf '    ok (%ss)\n' "$((SECONDS - STEP_START))"; }
fail() {
  printf '\nFAILED: %s\n' "$*" >&2
  exit 1
}

# debootstrap, chroot, mount and apt need root; say so plainly instead of failing halfway.
require_root() {
  [ "$(id -u)" -eq 0 ] || fail "$(basename "$0") needs root (apt, debootstrap, chroot, mount): run it as root, e.g. sudo $0"
}

# need COMMAND:PACKAGE ... installs the packages whose command is missing, in one apt run.
need() {
  local missing=() pair
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "    installing ${missing[*]}"
  local log
  log="$(mktemp)"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } >"$log" 2>&1 || {
    cat "$log"
    fail "apt-get could not install ${missing[*]} (above)"
  }
  rm -f "$log"
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || fail "${pair%%:*} is still missing after installing ${pair#*:}"
  done
}

# Registers qemu-aarch64 with binfmt_misc (so arm64 programs run by plain exec, children too).
# Returns 1 where that is not possible (no binfmt_misc in this kernel or container).
binfmt_arm64() {
  [ "${APPLIANCE_NO_BINFMT:-0}" = 1 ] && return 1
  local fs=/proc/sys/fs/binfmt_misc
  if [ ! -e "$fs/status" ]; then
    mount -t binfmt_misc binfmt_misc "$fs" 2>/dev/null || return 1
  fi
  if ! grep -qs '^enabled' "$fs/qemu-aarch64"; then
    update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || return 1
  fi
  grep -qs '^enabled' "$fs/qemu-aarch64" && grep -qs '^enabled' "$fs/status"
}

# publish_arm64 OUT: the self-contained linux-arm64 build the image ships. Its own artifacts path
# keeps the RID-specific restore away from the host build's obj/ (which `dotnet test` uses).
publish_arm64() {
  local out="$1"
  local log
  log="$(mktemp)"
  rm -rf "$out"
  # ReadyToRun: precompiled code, so the Pi starts without JIT-compiling the server first
  # (linux-x64, same run: 1.61 s vs 1.95 s median from start to "listening on"; docs/benchmarks.md).
  dotnet publish "$REPO_ROOT/src/Appliance" -c Release -r linux-arm64 --self-contained -p:PublishReadyToRun=true \
    --artifacts-path "$ARTIFACTS/dotnet-arm64" -o "$out" --nologo >"$log" 2>&1 || {
    cat "$log"
    rm -f "$log"
    fail "dotnet publish -r linux-arm64 failed (above)"
  }
  rm -f "$log"
  [ -x "$out/appliance" ] || fail "dotnet publish left no $out/appliance"
}
