#!/usr/bin/env bash
# Builds the appliance's Raspberry Pi card: an arm64 Debian bookworm root file system with the
# published app and image/rootfs-overlay, then a flashable .img (boot, read-only root, data).
#
#   sudo image/build.sh [--base-image RASPIOS.img[.xz]] [--ssh-key KEY.pub] [--board pi5|pi4|pi3]
#                       [--hostname NAME] [--data-size 2G] [--rootfs-only]
#
# The Pi's kernel and firmware come from a Raspberry Pi OS Lite (64-bit, bookworm) image given
# with --base-image, or else from the Raspberry Pi package archive when it is reachable (and its
# keyring is on this machine). Without either it stops after the root file system and says what
# is missing. Output: artifacts/image/ (rootfs/, appliance.img). Needs root (debootstrap, chroot).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

base_image=""
ssh_key=""
board=pi5
hostname=appliance
data_size=2G
rootfs_only=0
pi_archive=http://archive.raspberrypi.com/debian
pi_keyring=/usr/share/keyrings/raspberrypi-archive-keyring.gpg
usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --base-image) base_image="$(realpath "$2")"; shift 2 ;;
    --ssh-key) ssh_key="$(realpath "$2")"; shift 2 ;;
    --board) board="$2"; shift 2 ;;
    --hostname) hostname="$2"; shift 2 ;;
    --data-size) data_size="$2"; shift 2 ;;
    --pi-keyring) pi_keyring="$2"; shift 2 ;;
    --rootfs-only) rootfs_only=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; fail "unknown argument: $1" ;;
  esac
done
case "$board" in
  pi5) gpio_chip=pinctrl-rp1 ;;
  pi4) gpio_chip=pinctrl-bcm2711 ;;
  pi3) gpio_chip=pinctrl-bcm2835 ;;
  *) fail "--board must be pi5, pi4 or pi3 (it names the GPIO chip: /proc/cpuinfo is hidden from the service)" ;;
esac
[[ "$hostname" =~ ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$ ]] || fail "--hostname must be one DNS label (a-z, 0-9, -)"
[ -z "$base_image" ] || [ -f "$base_image" ] || fail "--base-image $base_image does not exist"
[ -z "$ssh_key" ] || grep -qE '^(ssh-|ecdsa-|sk-)' "$ssh_key" || fail "--ssh-key $ssh_key is not an OpenSSH public key"
require_root

# What the card runs, besides Debian's minimal base: systemd with networkd, resolved (mDNS) and
# timesyncd; SSH; the firewall; security updates; the YubiKey stack (pcscd, ykcs11,
# yubico-piv-tool, polkit for pcscd's access check); libgpiod and i2c-tools for the panel.
PACKAGES=(
  systemd systemd-sysv systemd-resolved systemd-timesyncd udev dbus libpam-systemd kmod
  openssh-server sudo nftables unattended-upgrades ca-certificates tzdata
  iproute2 iputils-ping less
  pcscd ykcs11 yubico-piv-tool polkitd libssl3
  libgpiod2 gpiod i2c-tools
)
rootfs="$ARTIFACTS/rootfs"
out_img="$ARTIFACTS/appliance.img"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$ARTIFACTS"

# in_root CMD...: runs CMD in the arm64 root with /proc, /sys and /dev, in a private mount
# namespace (the mounts vanish with it), with services kept from starting (policy-rc.d).
in_root() {
  # shellcheck disable=SC2016  # $1 and $@ are the inner shell's arguments
  unshare --mount --propagation private sh -c '
    r="$1"; shift
    mount -t proc proc "$r/proc" && mount -t sysfs sys "$r/sys" && mount --rbind /dev "$r/dev"
    exec chroot "$r" "$@"' sh "$rootfs" env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 "$@"
}

step "1/7 host tools"
need debootstrap:debootstrap qemu-aarch64-static:qemu-user-static update-binfmts:binfmt-support \
  genimage:genimage mkfs.vfat:dosfstools mcopy:mtools mke2fs:e2fsprogs debugfs:e2fsprogs \
  sfdisk:fdisk xz:xz-utils curl:curl systemctl:systemd unshare:util-linux
command -v dotnet >/dev/null || fail "dotnet (the .NET 10 SDK) is not on PATH"
binfmt_arm64 || fail "this machine cannot run arm64 programs through binfmt_misc (qemu-user-static):
  debootstrap's second stage and the package scripts run inside the arm64 root. Mount binfmt_misc
  (mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc) and run update-binfmts --enable qemu-aarch64,
  or build on a Raspberry Pi."
done_step

step "2/7 publish the app for linux-arm64"
publish="$ARTIFACTS/publish-linux-arm64"
publish_arm64 "$publish"
echo "    $(du -sh "$publish" | cut -f1) in $publish"
done_step

step "3/7 arm64 Debian $SUITE root file system (debootstrap; cached in $CACHE_DIR)"
# The packages alone are cached by their list: debootstrap + package scripts under emulation
# take minutes, the overlay and the app below take seconds.
key="$(printf '%s\n' "$SUITE" "${PACKAGES[@]}" v1 | sha256sum | cut -c1-16)"
base="$CACHE_DIR/image-rootfs-$key"
if [ -f "$base/.complete" ]; then
  echo "    cached: $base"
else
  mkdir -p "$CACHE_DIR"
  rm -rf "$base.partial"
  echo "    debootstrap --foreign --arch=arm64 --variant=minbase (${#PACKAGES[@]} packages and their dependencies)"
  debootstrap --foreign --arch=arm64 --variant=minbase --include="$(IFS=,; echo "${PACKAGES[*]}")" \
    "$SUITE" "$base.partial" >"$work/debootstrap.log" 2>&1 || {
    tail -n 30 "$work/debootstrap.log"
    fail "debootstrap (first stage) failed; log above"
  }
  # debootstrap makes /proc a symlink where it guesses it runs in a container.
  if [ -L "$base.partial/proc" ]; then rm "$base.partial/proc" && mkdir -m 0555 "$base.partial/proc"; fi
  echo "    debootstrap --second-stage (package scripts run under qemu; several minutes)"
  chroot "$base.partial" /debootstrap/debootstrap --second-stage >"$work/debootstrap2.log" 2>&1 || {
    tail -n 30 "$work/debootstrap2.log"
    fail "debootstrap (second stage) failed; log above"
  }
  rm -rf "$base.partial/var/cache/apt/archives/"*.deb
  touch "$base.partial/.complete"
  rm -rf "$base"
  mv "$base.partial" "$base"
fi
rm -rf "$rootfs"
cp -a "$base" "$rootfs"
rm -f "$rootfs/.complete"
done_step

step "4/7 configure: overlay, app, users, services"
# Package sources: the mirror debootstrap used, plus its updates and security suites (the
# security mirror is the same host's debian-security unless APPLIANCE_SECURITY_MIRROR says).
mirror="$(awk '$1 == "deb" { print $2; exit }' "$rootfs/etc/apt/sources.list")"
[ -n "$mirror" ] || fail "found no mirror in the root's /etc/apt/sources.list"
security="${APPLIANCE_SECURITY_MIRROR:-${mirror%/debian}/debian-security}"
rm -f "$rootfs/etc/apt/sources.list"
cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: $SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
cp -a "$OVERLAY/." "$rootfs/"
chmod 0440 "$rootfs/etc/sudoers.d/10-appliance"
chmod 0755 "$rootfs/etc/nftables.conf"
echo "    overlay: $(find "$OVERLAY" -type f | wc -l) files from image/rootfs-overlay"

# The app, a command on PATH for the operator, and the guide beside the example config.
rm -rf "$rootfs/opt/appliance"
cp -a "$publish" "$rootfs/opt/appliance"
chown -R root:root "$rootfs/opt/appliance"
chmod -R go-w,a+rX "$rootfs/opt/appliance"
ln -sf /opt/appliance/appliance "$rootfs/usr/local/bin/appliance"
cp "$REPO_ROOT/docs/operations.md" "$rootfs/usr/share/doc/appliance/operations.md"

# Users: the service user and groups (sysusers), the operator `admin` (SSH key only, sudo).
in_root systemd-sysusers >/dev/null
in_root useradd --create-home --shell /bin/bash --groups sudo,gpio,i2c --comment "appliance operator" admin
in_root passwd --lock admin >/dev/null
install -d -m 0700 -o "$(stat -c %u "$rootfs/home/admin")" -g "$(stat -c %g "$rootfs/home/admin")" "$rootfs/home/admin/.ssh"
if [ -n "$ssh_key" ]; then
  install -m 0600 -o "$(stat -c %u "$rootfs/home/admin")" -g "$(stat -c %g "$rootfs/home/admin")" \
    "$ssh_key" "$rootfs/home/admin/.ssh/authorized_keys"
  echo "    admin's SSH key: $(awk '{ print $1, $3 }' "$ssh_key")"
else
  echo "    WARNING: no --ssh-key: nobody can log in over SSH until a key is put in /home/admin/.ssh/authorized_keys"
fi
appliance_uid="$(awk -F: '$1 == "appliance" { print $3 }' "$rootfs/etc/passwd")"
[ -n "$appliance_uid" ] || fail "systemd-sysusers did not create the appliance user"

# Per-card identity is made on first boot (appliance-firstboot.service), never shared by cards.
rm -f "$rootfs"/etc/ssh/ssh_host_*
: >"$rootfs/etc/machine-id"
rm -f "$rootfs/var/lib/dbus/machine-id"
echo "$hostname" >"$rootfs/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' "$hostname" >"$rootfs/etc/hosts"
ln -sf /run/systemd/resolve/stub-resolv.conf "$rootfs/etc/resolv.conf"

systemctl --root="$rootfs" enable appliance.service appliance-firstboot.service nftables.service \
  systemd-networkd.service systemd-resolved.service systemd-timesyncd.service ssh.service \
  pcscd.socket apt-daily.timer apt-daily-upgrade.timer >/dev/null 2>&1 ||
  fail "systemctl --root enable failed"
# No swap: secrets in RAM must never be written to the card (Raspberry Pi OS's dphys-swapfile too).
systemctl --root="$rootfs" mask swap.target dphys-swapfile.service >/dev/null 2>&1
done_step

step "5/7 data partition contents (/var/lib/appliance)"
# appliance.json names the board's GPIO chip (ProcSubset=pid hides /proc/cpuinfo) and listens on
# the LAN; `appliance init` keeps it and adds pin_file.
data="$rootfs/var/lib/appliance"
rm -rf "$data"
install -d -m 0700 -o "$appliance_uid" -g "$appliance_uid" "$data"
sed -e "s/pinctrl-rp1/$gpio_chip/" -e "s/appliance\.local/$hostname.local/" \
  "$OVERLAY/usr/share/doc/appliance/appliance.json.example" >"$data/appliance.json"
chown "$appliance_uid:$appliance_uid" "$data/appliance.json"
chmod 0600 "$data/appliance.json"
echo "    appliance.json: board $board (gpio_chip $gpio_chip), endpoint https://$hostname.local:50051"
rm -rf "$rootfs/var/cache/apt/archives/"*.deb "$rootfs/var/lib/apt/lists/"*_Packages 2>/dev/null || true
echo "    root file system ready: $rootfs ($(du -sh "$rootfs" | cut -f1))"
done_step

step "6/7 Raspberry Pi kernel and firmware"
boot="$rootfs/boot/firmware"
mkdir -p "$boot"
find "$boot" -mindepth 1 -delete
if [ "$rootfs_only" = 1 ]; then
  echo "    --rootfs-only: stopping here"
  exit 0
elif [ -n "$base_image" ]; then
  echo "    from $base_image"
  img="$base_image"
  if [[ "$img" == *.xz ]]; then
    xz -dc "$img" >"$work/base.img"
    img="$work/base.img"
  fi
  # Partition 1 is the FAT boot partition, 2 the root: copy them out by offset (no loop devices).
  mapfile -t parts < <(sfdisk --dump "$img" | sed -n -E 's/.*start= *([0-9]+), size= *([0-9]+).*/\1 \2/p')
  [ ${#parts[@]} -ge 2 ] || fail "$base_image has no boot and root partition (sfdisk --dump shows ${#parts[@]})"
  read -r start size <<<"${parts[0]}"
  dd if="$img" of="$work/boot.vfat" bs=512 skip="$start" count="$size" status=none
  read -r start size <<<"${parts[1]}"
  dd if="$img" of="$work/root.ext4" bs=512 skip="$start" count="$size" status=none
  mcopy -s -p -n -i "$work/boot.vfat" ::/* "$boot/" || fail "could not read the boot partition of $base_image"
  [ -f "$boot/config.txt" ] || fail "$base_image's first partition has no config.txt: not a Raspberry Pi OS image"
  # The kernel's modules (and firmware files, e.g. for Wi-Fi) from the base image's root.
  # (debugfs rdump creates the directory it copies, so only its parent may exist beforehand.)
  mkdir -p "$work/rdump/usr/lib"
  for dir in usr/lib/modules usr/lib/firmware; do
    debugfs -R "rdump /$dir $work/rdump/usr/lib" "$work/root.ext4" >/dev/null 2>&1 || true
  done
  ls "$work/rdump/usr/lib/modules/"* >/dev/null 2>&1 || fail "found no /usr/lib/modules in $base_image's root partition"
  cp -a "$work/rdump/usr/lib/." "$rootfs/usr/lib/"
  echo "    kernels: $(find "$boot" -maxdepth 1 -name 'kernel*.img' -printf '%f ')modules: $(find "$work/rdump/usr/lib/modules" -mindepth 1 -maxdepth 1 -printf '%f ')"
elif curl -fsS --max-time 10 -o /dev/null "$pi_archive/dists/$SUITE/InRelease" 2>/dev/null; then
  [ -f "$pi_keyring" ] || fail "the Raspberry Pi archive is reachable, but its keyring $pi_keyring is not on this machine:
  give it with --pi-keyring FILE (Raspberry Pi OS has it in the raspberrypi-archive-keyring package)."
  echo "    from $pi_archive"
  cp "$pi_keyring" "$rootfs/usr/share/keyrings/raspberrypi-archive-keyring.gpg"
  printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/raspberrypi-archive-keyring.gpg\n' \
    "$pi_archive" "$SUITE" >"$rootfs/etc/apt/sources.list.d/raspi.sources"
  printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
  chmod 0755 "$rootfs/usr/sbin/policy-rc.d"
  in_root apt-get update -qq
  in_root apt-get install -y -qq raspi-firmware linux-image-rpi-v8 linux-image-rpi-2712 >/dev/null
  rm -f "$rootfs/usr/sbin/policy-rc.d"
  ls "$boot"/kernel*.img >/dev/null 2>&1 || fail "the Pi kernel packages put no kernel*.img in /boot/firmware"
else
  cat >&2 <<EOF

STOPPED after the root file system: $rootfs
A flashable card needs the Raspberry Pi kernel and firmware, and this build has neither source:
  - no --base-image was given (a Raspberry Pi OS Lite 64-bit bookworm image, .img or .img.xz), and
  - the Raspberry Pi package archive is not reachable from here ($pi_archive/dists/$SUITE/InRelease).
Run again with --base-image FILE, or on a machine that reaches the archive (with --pi-keyring FILE
if $pi_keyring is not there). --rootfs-only stops here on purpose.
EOF
  exit 2
fi
# I2C for the panel's display; the kernel finds the root by the partition's id (set below).
disk_id="$(od -An -tx4 -N4 /dev/urandom | tr -d ' ')"
grep -qE '^dtparam=i2c_arm=on' "$boot/config.txt" 2>/dev/null ||
  printf '\n# appliance: I2C bus 1 for the panel display\ndtparam=i2c_arm=on\n' >>"$boot/config.txt"
cmdline="console=serial0,115200 console=tty1"
if [ -f "$boot/cmdline.txt" ]; then
  # Keep the consoles and options; drop the base's root, its first-boot init and resize scripts.
  cmdline="$(tr ' ' '\n' <"$boot/cmdline.txt" | grep -vE '^(root|rootfstype|init|rw|ro|rootwait|fsck\.repair|resize|quiet|splash|plymouth\..*|systemd\.run.*)(=|$)' | tr '\n' ' ')"
fi
echo "$cmdline root=PARTUUID=$disk_id-02 rootfstype=ext4 ro fsck.repair=yes rootwait" | tr -s ' ' >"$boot/cmdline.txt"
echo "    cmdline.txt: $(cat "$boot/cmdline.txt")"
done_step

step "7/7 card image (genimage: BOOT vfat, APPROOT ext4 read-only, APPDATA ext4 $data_size)"
root_mb=$(($(du -sm --exclude=./boot/firmware --exclude=./var/lib/appliance "$rootfs" | cut -f1) * 13 / 10 + 256))
boot_mb=$(($(du -sm "$boot" | cut -f1) + 64))
[ "$boot_mb" -ge 256 ] || boot_mb=256
cat >"$work/genimage.cfg" <<EOF
image boot.vfat {
  vfat { label = "BOOT" }
  size = ${boot_mb}M
  mountpoint = "/boot/firmware"
}
image data.ext4 {
  ext4 { label = "APPDATA" use-mke2fs = true }
  size = $data_size
  mountpoint = "/var/lib/appliance"
}
image root.ext4 {
  ext4 { label = "APPROOT" use-mke2fs = true }
  size = ${root_mb}M
}
image $(basename "$out_img") {
  hdimage {
    partition-table-type = "mbr"
    disk-signature = 0x$disk_id
    align = 4M
  }
  partition boot { partition-type = 0xC bootable = true image = "boot.vfat" }
  partition root { partition-type = 0x83 image = "root.ext4" }
  partition data { partition-type = 0x83 image = "data.ext4" }
}
EOF
rm -f "$out_img"
genimage --config "$work/genimage.cfg" --rootpath "$rootfs" --tmppath "$work/genimage-tmp" \
  --inputpath "$work/genimage-in" --outputpath "$ARTIFACTS" >"$work/genimage.log" 2>&1 || {
  tail -n 30 "$work/genimage.log"
  fail "genimage failed; log above"
}
rm -f "$ARTIFACTS/boot.vfat" "$ARTIFACTS/root.ext4" "$ARTIFACTS/data.ext4"
sfdisk --dump "$out_img" | sed -n 's/^/    /p'
echo "    $out_img ($(du -h --apparent-size "$out_img" | cut -f1)); flash it: see docs/operations.md"
done_step
