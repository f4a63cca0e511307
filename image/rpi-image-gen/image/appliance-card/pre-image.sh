#!/bin/sh
# shellcheck disable=SC2154  # IGconf_* come from rpi-image-gen's environment
# rpi-image-gen's pre-image hook: writes genimage.cfg and points the kernel at the root partition
# (by PARTUUID, which is the disk id and the partition number).
set -eu
rootfs="$1"
genimg_in="$2"

disk_id="$(od -An -tx4 -N4 /dev/urandom | tr -d ' ')"
root_mb=$(( $(du -sm --exclude=./boot/firmware --exclude=./var/lib/appliance "$rootfs" | cut -f1) * 13 / 10 + 256 ))

sed -e "s|<IMAGE_DIR>|$IGconf_image_outputdir|g" \
    -e "s|<IMAGE_NAME>|$IGconf_image_name|g" \
    -e "s|<IMAGE_SUFFIX>|$IGconf_image_suffix|g" \
    -e "s|<DISK_ID>|0x$disk_id|g" \
    -e "s|<DATA_SIZE>|$IGconf_image_data_part_size|g" \
    -e "s|<ROOT_SIZE>|${root_mb}M|g" \
    genimage.cfg.in > "$genimg_in/genimage.cfg"

cmdline="$rootfs/boot/firmware/cmdline.txt"
if [ -f "$cmdline" ]; then
  sed -i -E "s#root=[^ ]*#root=PARTUUID=$disk_id-02#; s#(^| )rw( |\$)#\\1ro\\2#" "$cmdline"
  grep -qw ro "$cmdline" || sed -i 's/$/ ro/' "$cmdline"
else
  echo "console=serial0,115200 console=tty1 root=PARTUUID=$disk_id-02 rootfstype=ext4 ro fsck.repair=yes rootwait" > "$cmdline"
fi
