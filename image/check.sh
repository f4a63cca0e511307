#!/usr/bin/env bash
# Checks the Raspberry Pi image recipe; ./test.sh runs it before the dotnet tests.
#  1. systemd-analyze verify on the units (a misspelled key only warns, so any output fails)
#  2. systemd-analyze security --offline=true: exposure of appliance.service must be <= 1.5
#  3. nft -c -f on the firewall ruleset
#  4. shellcheck on every shell script in the repository
#  5. dotnet publish for linux-arm64 (what the image ships)
#  6. smoke test: that arm64 build runs `appliance demo` under qemu-user in an arm64 Debian root
#     file system (debootstrap, cached in /var/cache/appliance-image) and answers one request
#     sent from this machine with the host build.
#  7. the unit under a real systemd: the same unit file, with the x86_64 build, in a booted
#     systemd-nspawn container (amd64 Debian, cached): it must start (READY=1 within the sandbox)
#     and answer the same request. The offline checks cannot tell whether .NET survives the
#     sandbox; this can.
# It needs root, installs what it needs (apt) and fails loudly; it never skips a check.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

MAX_EXPOSURE=1.5
host_dll="$REPO_ROOT/src/Appliance/bin/Release/net10.0/appliance.dll"

# ---- THE SMOKE REQUEST (steps 6 and 7; $1 is the bot's bundle): the appliance sends it to its ----
# ---- stand-in exchange (NOT Upbit) and prints the exchange's answer.                          ----
smoke_request() { dotnet "$host_dll" sign --bundle "$1" --send GET /v1/accounts; }
# ----------------------------------------------------------------------------------------------
# (Step 7 runs `serve` on a data dir `demo` made, without demo's process, so it starts the stand-in
# exchange on its own with `appliance stand-in` and points `serve --upbit-url` at it.)

# send_smoke BUNDLE SERVER_LOG: the smoke request, retried only on CLOCK_SKEW (nothing signed or
# sent): a server under emulation JIT-compiles its request path on the first request, which can
# take longer than the 5 s clock-skew window. Anything else fails at once.
send_smoke() {
  local answer="" ok="" attempt
  for attempt in 1 2 3 4 5; do
    if answer="$(smoke_request "$1" 2>&1)"; then
      ok=1
      break
    fi
    grep -q CLOCK_SKEW <<<"$answer" || break
    echo "    attempt $attempt: CLOCK_SKEW while the server warmed up; again"
  done
  while IFS= read -r line; do echo "    | $line"; done <<<"$answer"
  if [ -z "$ok" ]; then
    tail -n 40 "$2" | sed 's/^/    server| /'
    fail "the smoke request failed (its answer and the server's log above)"
  fi
}

# free_port: a port on 127.0.0.1 that nothing answers on.
free_port() {
  local candidate
  for _ in $(seq 1 50); do
    candidate=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  fail "found no free port on 127.0.0.1"
}
UNIT="$OVERLAY/etc/systemd/system/appliance.service"
TOTAL_START=$SECONDS
work="$(mktemp -d)"
demo_pid=""
exchange_pid=""
nspawn_pid=""
stop() { # stop PID: TERM, up to 20 s, then KILL
  [ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 0
  kill "$1" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.2; done
  kill -9 "$1" 2>/dev/null || true
}
# stop_container: the nspawn container, gracefully (nspawn shuts it down on TERM) or, after a
# minute, by killing its PID 1, which ends every process in it.
leader=""
stop_container() {
  [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null || return 0
  kill "$nspawn_pid" 2>/dev/null || true
  for _ in $(seq 1 300); do kill -0 "$nspawn_pid" 2>/dev/null || return 0; sleep 0.2; done
  [ -z "$leader" ] || kill -9 "$leader" 2>/dev/null || true
  stop "$nspawn_pid"
}
cleanup() {
  stop "$demo_pid"
  stop "$exchange_pid"
  stop_container
  rm -rf "$work"
}
trap cleanup EXIT

require_root
step "0/7 tools"
need systemd-analyze:systemd nft:nftables shellcheck:shellcheck debootstrap:debootstrap \
  qemu-aarch64-static:qemu-user-static update-binfmts:binfmt-support unshare:util-linux \
  nsenter:util-linux systemd-nspawn:systemd-container
command -v dotnet >/dev/null || fail "dotnet (the .NET 10 SDK) is not on PATH"
done_step

step "1/7 systemd-analyze verify"
# A copy of the units where programs that exist only on the Pi are /bin/true: verify checks that
# every Exec path exists, and this machine is not the Pi. Drop-ins are verified on stand-in units.
units="$work/units"
mkdir -p "$units"
cp -r "$OVERLAY/etc/systemd/system/." "$units/"
for dropin in "$units"/*.service.d; do
  base="$(basename "$dropin" .d)"
  [ -e "$units/$base" ] || printf '[Service]\nType=oneshot\nExecStart=/bin/true\n' >"$units/$base"
done
sed -i -E 's#^(Exec[A-Za-z]*=[-+!@:]*)(/[^ ]+)#\1/bin/true#' "$units"/*.service "$units"/*.service.d/*.conf
verify_out="$(cd "$units" && systemd-analyze verify ./*.service 2>&1)" || {
  echo "$verify_out"
  fail "systemd-analyze verify failed"
}
# Every line it prints is a warning about our files (unknown key, bad value, missing unit).
if [ -n "$verify_out" ]; then
  echo "$verify_out"
  fail "systemd-analyze verify warned about the units (above)"
fi
for u in "$units"/*.service; do echo "    verified $(basename "$u")"; done
done_step

step "2/7 systemd-analyze security (exposure <= $MAX_EXPOSURE)"
security_out="$(systemd-analyze security --offline=true "$UNIT" 2>&1)" || true
exposure="$(sed -n -E 's/.*Overall exposure level for [^:]+: ([0-9]+\.[0-9]+).*/\1/p' <<<"$security_out")"
[ -n "$exposure" ] || {
  echo "$security_out"
  fail "systemd-analyze security printed no exposure level"
}
grep -E '^✗' <<<"$security_out" | sed 's/^/    /' || true
echo "    exposure of appliance.service: $exposure (at most $MAX_EXPOSURE)"
awk -v e="$exposure" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(e <= m) }' ||
  fail "exposure $exposure is above $MAX_EXPOSURE"
done_step

step "3/7 nft -c -f (firewall ruleset)"
ruleset="$OVERLAY/etc/nftables.conf"
if getent passwd appliance >/dev/null; then
  nft -c -f "$ruleset" || fail "nft rejects $ruleset"
else
  # The ruleset names the service user, which only the image has: check it in a private mount
  # namespace where /etc/passwd (a copy) has that user too.
  cp /etc/passwd "$work/passwd"
  echo 'appliance:x:64999:64999:check.sh:/nonexistent:/usr/sbin/nologin' >>"$work/passwd"
  # shellcheck disable=SC2016  # $1 and $2 are the inner shell's arguments
  unshare --mount --propagation private sh -c 'mount --bind "$1" /etc/passwd && nft -c -f "$2"' \
    sh "$work/passwd" "$ruleset" || fail "nft rejects $ruleset"
fi
echo "    $ruleset parses and loads (check mode)"
done_step

step "4/7 shellcheck"
# Every tracked or new shell script: *.sh, and files whose first line names sh or bash.
scripts=()
while IFS= read -r f; do
  [ -f "$f" ] || continue
  case "$f" in
    *.sh) scripts+=("$f") ;;
    *) head -n1 "$f" | grep -qE '^#!.*\b(ba)?sh\b' && scripts+=("$f") ;;
  esac
done < <(git ls-files --cached --others --exclude-standard)
[ ${#scripts[@]} -gt 0 ] || fail "found no shell scripts to check"
shellcheck -x "${scripts[@]}" || fail "shellcheck found problems (above)"
printf '    %s\n' "${scripts[@]}"
done_step

step "5/7 dotnet publish -r linux-arm64 (self-contained)"
publish="$ARTIFACTS/publish-linux-arm64"
publish_arm64 "$publish"
# ELF, 64-bit, little-endian (bytes 0-5) and machine 0xb7, AArch64 (bytes 18-19)
elf="$(head -c 20 "$publish/appliance" | od -An -tx1 | tr -d ' \n')"
if [ "${elf:0:12}" != 7f454c460201 ] || [ "${elf:36:4}" != b700 ]; then
  fail "$publish/appliance is not an arm64 ELF program"
fi
echo "    $(du -sh "$publish" | cut -f1) in $publish"
# The host build of the same code is the client for the smoke request.
dotnet build src/Appliance -c Release --nologo >"$work/build.log" 2>&1 || {
  cat "$work/build.log"
  fail "dotnet build src/Appliance failed (above)"
}
[ -f "$host_dll" ] || fail "the host build left no $host_dll"
done_step

step "6/7 smoke test: arm64 appliance under qemu-user answers a request from the host"
# The arm64 Debian root: debootstrap's first stage (download and unpack; no arm64 code runs),
# then every downloaded package unpacked too. The second stage would configure the packages under
# emulation (about 5 minutes) and the smoke test needs none of that. Cached by its inputs, and
# never written afterwards: each run binds the app, its data dir (and qemu) in, so runs at the
# same time do not disturb each other.
rootfs_key="$SUITE-arm64-minbase-libssl3-v3"
rootfs="$CACHE_DIR/rootfs-$rootfs_key"
if [ -f "$rootfs/.complete" ]; then
  echo "    cached root file system: $rootfs"
else
  echo "    building $rootfs (debootstrap --foreign --arch=arm64 --variant=minbase; cached afterwards)"
  mkdir -p "$CACHE_DIR"
  partial="$rootfs.partial"
  rm -rf "$partial"
  debootstrap --foreign --arch=arm64 --variant=minbase --include=libssl3 \
    "$SUITE" "$partial" >"$work/debootstrap.log" 2>&1 || {
    tail -n 30 "$work/debootstrap.log"
    fail "debootstrap (first stage) failed; log above"
  }
  # debootstrap makes /proc a symlink to /proc where it guesses it runs in a container; a chroot
  # needs a real directory to mount /proc on.
  if [ -L "$partial/proc" ]; then rm "$partial/proc" && mkdir -m 0555 "$partial/proc"; fi
  for deb in "$partial"/var/cache/apt/archives/*.deb; do
    dpkg-deb --fsys-tarfile "$deb" | tar -x --keep-directory-symlink -C "$partial"
  done
  # Mount points for what each run binds in.
  mkdir -p "$partial/opt/appliance" "$partial/srv/smoke"
  touch "$partial/usr/bin/qemu-aarch64-static"
  touch "$partial/.complete"
  rm -rf "$rootfs"
  mv "$partial" "$rootfs"
fi
[ ! -L "$rootfs/proc" ] || fail "$rootfs/proc is a symlink, not a directory to mount /proc on"
[ -e "$rootfs/lib/ld-linux-aarch64.so.1" ] || fail "$rootfs has no arm64 dynamic loader"
[ -e "$rootfs/usr/lib/aarch64-linux-gnu/libssl.so.3" ] || fail "$rootfs has no libssl.so.3"
for d in opt/appliance srv/smoke; do [ -d "$rootfs/$d" ] || fail "$rootfs has no /$d to bind onto; remove it to rebuild"; done

# Run arm64 programs by binfmt_misc where this kernel allows it, else by naming qemu explicitly.
qemu=""
if binfmt_arm64; then
  runner=()
  echo "    arm64 programs run through binfmt_misc (qemu-aarch64)"
else
  qemu="$(command -v qemu-aarch64-static)"
  runner=(/usr/bin/qemu-aarch64-static)
  echo "    binfmt_misc is not available here: running arm64 programs as qemu-aarch64-static PROGRAM"
fi

port="$(free_port)"
smoke_data="$work/smoke"
mkdir -p "$smoke_data"
data_in_root=/srv/smoke/data
log="$work/demo.log"
# The chroot shares this machine's network, so 127.0.0.1:$port is reachable from the host. In a
# private mount namespace (gone with the process): the app and the data dir bound in, and /proc
# as the unit's ProcSubset=pid makes it (no /proc/cpuinfo, /proc/meminfo). qemu-user does not see
# code the .NET JIT writes through its second (W^X) mapping, so W^X is off under emulation only.
# shellcheck disable=SC2016  # the inner shell's arguments
DOTNET_EnableWriteXorExecute=0 unshare --mount --propagation private sh -c '
  r="$1" app="$2" data="$3" qemu="$4"
  shift 4
  mount --bind "$app" "$r/opt/appliance" && mount --bind "$data" "$r/srv/smoke" &&
    { [ -z "$qemu" ] || mount --bind "$qemu" "$r/usr/bin/qemu-aarch64-static"; } &&
    mount -t proc -o subset=pid proc "$r/proc" && exec chroot "$r" "$@"' \
  sh "$rootfs" "$publish" "$smoke_data" "$qemu" \
  "${runner[@]}" /opt/appliance/appliance demo --data-dir "$data_in_root" --listen "127.0.0.1:$port" \
  </dev/null >"$log" 2>&1 &
demo_pid=$!
bundle="$smoke_data/data/bundles/demo-bot"
echo "    demo (pid $demo_pid) starting on 127.0.0.1:$port, data dir $data_in_root in the arm64 root"
waited=0
until grep -q '^listening on ' "$log" 2>/dev/null && [ -f "$bundle/bot.json" ]; do
  if ! kill -0 "$demo_pid" 2>/dev/null; then
    cat "$log"
    fail "the arm64 demo exited before it listened; its output is above"
  fi
  [ "$waited" -lt 300 ] || {
    cat "$log"
    fail "the arm64 demo did not listen within 300 s"
  }
  sleep 1
  waited=$((waited + 1))
done
echo "    listening after ${waited}s"

send_smoke "$bundle" "$log"
stop "$demo_pid"
demo_pid=""
done_step

step "7/7 the unit under a real systemd (x86_64 build, systemd-nspawn)"
# An amd64 Debian root that boots systemd, with the service user made as the image makes it.
nspawn_root="$CACHE_DIR/nspawn-$SUITE-amd64-v1"
if [ -f "$nspawn_root/.complete" ]; then
  echo "    cached container root: $nspawn_root"
else
  echo "    building $nspawn_root (debootstrap --variant=minbase with systemd; cached afterwards)"
  mkdir -p "$CACHE_DIR"
  rm -rf "$nspawn_root.partial"
  debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,libssl3 \
    "$SUITE" "$nspawn_root.partial" >"$work/debootstrap-amd64.log" 2>&1 || {
    tail -n 30 "$work/debootstrap-amd64.log"
    fail "debootstrap (amd64) failed; log above"
  }
  systemd-sysusers --root="$nspawn_root.partial" "$OVERLAY/etc/sysusers.d/appliance.conf" >/dev/null
  touch "$nspawn_root.partial/.complete"
  rm -rf "$nspawn_root"
  mv "$nspawn_root.partial" "$nspawn_root"
fi
uid="$(awk -F: '$1 == "appliance" { print $3 }' "$nspawn_root/etc/passwd")"
[ -n "$uid" ] || fail "the container root has no appliance user"

publish_x64="$ARTIFACTS/publish-linux-x64"
rm -rf "$publish_x64"
dotnet publish src/Appliance -c Release -r linux-x64 --self-contained --artifacts-path "$ARTIFACTS/dotnet-x64" \
  -o "$publish_x64" --nologo >"$work/publish-x64.log" 2>&1 || {
  cat "$work/publish-x64.log"
  fail "dotnet publish -r linux-x64 failed (above)"
}

# Its data dir: one `demo` makes (software token, a bot bundle), then owned by the service user.
port="$(free_port)"
data="$work/nspawn-data"
smoke_secret="image-check-secret-$$-0123456789abcdef"
dotnet "$host_dll" demo --data-dir "$data" --listen "127.0.0.1:$port" --secret-stdin <<<"$smoke_secret" >"$work/mkdemo.log" 2>&1 &
demo_pid=$!
for _ in $(seq 1 120); do
  grep -q '^listening on ' "$work/mkdemo.log" && [ -f "$data/bundles/demo-bot/bot.json" ] && break
  kill -0 "$demo_pid" 2>/dev/null || { cat "$work/mkdemo.log"; fail "demo (making the data dir) exited"; }
  sleep 0.5
done
stop "$demo_pid"
demo_pid=""
[ -f "$data/token.json" ] || fail "demo made no data dir in $data"
# Metrics on a free port too, so nothing else on this machine is in the way.
metrics_port="$(free_port)"
sed -i "s/\"127.0.0.1:9464\"/\"127.0.0.1:$metrics_port\"/" "$data/appliance.json"
chown -R "$uid:$uid" "$data"
chmod 0700 "$data"

# The exchange it sends to: the stand-in (NOT Upbit) on the host's loopback, knowing the demo's keys.
exchange_port="$(free_port)"
printf '%s\n%s\n' "$smoke_secret" "$smoke_secret" | dotnet "$host_dll" stand-in --listen "127.0.0.1:$exchange_port" \
  --access-key demo-access-key --access-key demo-withdraw-access-key >"$work/stand-in.log" 2>&1 &
exchange_pid=$!
for _ in $(seq 1 120); do
  grep -q 'stand-in exchange listening on' "$work/stand-in.log" && break
  kill -0 "$exchange_pid" 2>/dev/null || { cat "$work/stand-in.log"; fail "the stand-in exchange exited"; }
  sleep 0.5
done
grep -q 'stand-in exchange listening on' "$work/stand-in.log" || fail "the stand-in exchange did not listen within 60 s"

# The unit exactly as the image has it; only ExecStart differs: the container has no GPIO, it
# listens on all addresses as the Pi does (so the certificate lists them, read through netlink), and
# it sends to the stand-in on loopback (which appliance.json alone may never name).
dropin="$work/appliance.service.d"
mkdir -p "$dropin"
printf '[Service]\nExecStart=\nExecStart=/opt/appliance/appliance serve --data-dir /var/lib/appliance --panel none --listen 0.0.0.0:%s --upbit-url http://127.0.0.1:%s --insecure-test-upstream\n' \
  "$port" "$exchange_port" >"$dropin/10-check.conf"
# A private copy of the cached root for this run (the cache is never booted itself).
cp -a "$nspawn_root" "$work/container"
systemd-nspawn --quiet --boot --directory="$work/container" --register=no --keep-unit \
  --console=pipe --machine="appliance-check-$$" \
  --bind-ro="$publish_x64:/opt/appliance" \
  --bind-ro="$UNIT:/etc/systemd/system/appliance.service" \
  --bind-ro="$dropin:/etc/systemd/system/appliance.service.d" \
  --bind="$data:/var/lib/appliance" </dev/null >"$work/nspawn.log" 2>&1 &
nspawn_pid=$!
# The container's PID 1 (systemd) becomes nspawn's child once nspawn's setup process has gone;
# wait until it has booted (a loaded machine may take minutes).
state=""
for _ in $(seq 1 360); do
  kill -0 "$nspawn_pid" 2>/dev/null || { cat "$work/nspawn.log"; fail "systemd-nspawn exited (log above)"; }
  leader="$(ps -o pid=,comm= --ppid "$nspawn_pid" | awk '$2 == "systemd" { print $1; exit }' || true)"
  if [ -n "$leader" ]; then
    state="$(nsenter -t "$leader" -a systemctl is-system-running 2>/dev/null || true)"
    case "$state" in running | degraded) break ;; esac
  fi
  sleep 0.5
done
case "$state" in running | degraded) ;; *)
  cat "$work/nspawn.log"
  fail "the container's systemd did not finish booting within 3 minutes (state: ${state:-none})"
  ;;
esac
echo "    container booted (pid $leader, systemd $state)"
in_container() { nsenter -t "$leader" -a "$@"; }
# Type=notify: `systemctl start` returns only once the service has sent READY=1.
if ! timeout 120 nsenter -t "$leader" -a systemctl start appliance.service; then
  in_container systemctl status appliance.service --no-pager || true
  in_container journalctl -u appliance.service --no-pager -n 60 || true
  fail "appliance.service did not start under systemd in its sandbox (status and log above)"
fi
echo "    appliance.service: $(in_container systemctl show appliance.service -p ActiveState -p SubState -p NRestarts --value | tr '\n' ' ')"
in_container journalctl -u appliance.service --no-pager -o cat >"$work/service.log" 2>&1 || true
send_smoke "$data/bundles/demo-bot" "$work/service.log"
status="$(in_container /opt/appliance/appliance status --data-dir /var/lib/appliance 2>&1)" ||
  fail "appliance status over the admin socket failed: $status"
echo "    appliance status (root, admin socket): $status"
grep -q 'state: ready' <<<"$status" || fail "the service is not ready: $status"
[ "$(in_container systemctl show appliance.service -p NRestarts --value)" = 0 ] ||
  fail "appliance.service restarted while it was checked"
stop_container
nspawn_pid=""
stop "$exchange_pid"
exchange_pid=""
done_step

printf '\nimage/check.sh: all checks passed in %ss (exposure %s)\n' "$((SECONDS - TOTAL_START))" "$exposure"
