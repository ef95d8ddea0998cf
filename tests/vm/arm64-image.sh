#!/usr/bin/env bash
# Makes the arm64 test host's disk (tests/Pester/Arm64Vm.psm1 boots it under qemu-system-aarch64 as the host named pi):
# Debian bookworm arm64 with openssh-server, pocl, ocl-icd and clinfo, and Debian's arm64 kernel.
#   tests/vm/arm64-image.sh DIR
# DIR receives disk.img (ext4, the root), vmlinuz, initrd.img (busybox and the virtio/ext4 modules Debian builds as
# modules), root/ (the unpacked root, for qemu-aarch64-static -L), client_key (root's ssh key), host_key.pub and
# packages.txt. Nothing is mounted and no package script runs: debootstrap's first stage downloads the packages, each
# is unpacked with dpkg-deb, and the few things their maintainer scripts would do are done here (users, sshd's
# settings and keys). Built in DIR.part and renamed, so DIR is complete or absent. Needs root (files owned by root),
# debootstrap, dpkg-deb, qemu-user-static (ldconfig for the arm64 root), ssh-keygen, mke2fs and cpio.
set -euo pipefail
out=${1:?usage: arm64-image.sh DIR}
[ -f "$out/disk.img" ] && { echo "arm64-image: $out is already made" >&2; exit 0; }
part="$out.part"
rm -rf "$part"
mkdir -p "$part"
say() { printf '==> arm64-image: %s\n' "$*" >&2; }

# The Debian archive this machine's apt uses (deb822 or one-line sources), so the image comes from the same mirror.
mirror=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | grep -v security | head -n 1 || true)
[ -n "$mirror" ] || mirror=$(sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\{0,1\}\([^[:space:]]*\)[[:space:]]\+bookworm[[:space:]].*/\2/p' /etc/apt/sources.list 2>/dev/null | head -n 1 || true)
[ -n "$mirror" ] || { echo "arm64-image: no Debian mirror found in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list" >&2; exit 2; }

packages=openssh-server,pocl-opencl-icd,ocl-icd-libopencl1,clinfo,linux-image-arm64,busybox-static
say "debootstrap (first stage: download) of bookworm arm64 with $packages"
root="$part/root"
debootstrap --arch=arm64 --foreign --variant=minbase --include="$packages" bookworm "$root" "$mirror" > "$part/debootstrap.log" 2>&1 \
  || { tail -n 20 "$part/debootstrap.log" >&2; exit 1; }

say "unpacking $(ls "$root"/var/cache/apt/archives/*.deb | wc -l) packages"
kernel="$part/kernel"
mkdir -p "$kernel"
for deb in "$root"/var/cache/apt/archives/*.deb; do
  # The kernel package goes aside: only vmlinuz and a few modules are needed, not its 350 MB of modules in the root.
  # --keep-directory-symlink keeps bookworm's merged /usr (bin -> usr/bin) instead of replacing the links with folders.
  case "$(basename "$deb")" in
    linux-image-[0-9]*) dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$kernel" ;;
    *) dpkg-deb --fsys-tarfile "$deb" | tar -x --keep-directory-symlink -C "$root" ;;
  esac
done
ls "$root"/var/cache/apt/archives/*.deb | xargs -n1 basename | sort > "$part/packages.txt"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root/debootstrap"

say "users, sshd settings and keys"
# Mount points (the first stage may leave proc as a link to this machine's /proc).
for d in proc sys; do if [ -L "$root/$d" ]; then rm -f "$root/$d"; fi; done
mkdir -p "$root/proc" "$root/sys" "$root/dev" "$root/run" "$root/tmp"
cp "$root/usr/share/base-passwd/passwd.master" "$root/etc/passwd"
cp "$root/usr/share/base-passwd/group.master" "$root/etc/group"
echo 'sshd:x:100:65534::/run/sshd:/usr/sbin/nologin' >> "$root/etc/passwd"
awk -F: '{ print $1 ":*:19000:0:99999:7:::" }' "$root/etc/passwd" > "$root/etc/shadow"
chmod 640 "$root/etc/shadow"
echo pi > "$root/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 pi\n' > "$root/etc/hosts"
# No PAM: pam-auth-update (a maintainer script) never wrote the common-* files sshd's PAM stack includes.
mkdir -p "$root/etc/ssh/sshd_config.d"
cp "$root/usr/share/openssh/sshd_config" "$root/etc/ssh/sshd_config"
printf 'UsePAM no\nPermitRootLogin prohibit-password\nPasswordAuthentication no\nUseDNS no\n' > "$root/etc/ssh/sshd_config.d/macetools-vm.conf"
ssh-keygen -q -t ed25519 -N '' -C pi -f "$root/etc/ssh/ssh_host_ed25519_key"
cp "$root/etc/ssh/ssh_host_ed25519_key.pub" "$part/host_key.pub"
ssh-keygen -q -t ed25519 -N '' -C macetools-vm-client -f "$part/client_key"
install -d -m 700 "$root/root/.ssh"
install -m 600 "$part/client_key.pub" "$root/root/.ssh/authorized_keys"
# The loader's cache, made by the root's own (static) ldconfig under user-mode qemu.
qemu-aarch64-static "$root/sbin/ldconfig" -r "$root"

# PID 1 of the root: what systemd would do for sshd, in a few lines (systemd under software emulation takes minutes).
cat > "$root/sbin/macetools-vm-init" <<'INIT'
#!/bin/sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
mount -t proc proc /proc; mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null; mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts; mount -t tmpfs tmpfs /dev/shm; mount -t tmpfs tmpfs /run; mount -t tmpfs tmpfs /tmp
mkdir -p /run/sshd; chmod 1777 /tmp
hostname pi
echo "macetools-vm: sshd starting"
/usr/sbin/sshd -D -e
echo "macetools-vm: sshd exited with $?; powering off"
exec /bin/busybox poweroff -f
INIT
chmod 755 "$root/sbin/macetools-vm-init"

say "initrd: busybox and the virtio and ext4 modules"
version=$(ls "$kernel/lib/modules")
cp "$kernel/boot/vmlinuz-$version" "$part/vmlinuz"
initrd="$part/initrd"
mkdir -p "$initrd/bin" "$initrd/modules"
cp "$root/bin/busybox" "$initrd/bin/busybox"
# In dependency order (each module's depends= in its .modinfo).
modules="virtio_mmio virtio_blk failover net_failover virtio_net crc16 mbcache jbd2 crc32c_generic ext4"
for m in $modules; do
  f=$(find "$kernel/lib/modules/$version" -name "$m.ko" | head -n 1)
  [ -n "$f" ] || { echo "arm64-image: module $m not in $version" >&2; exit 1; }
  cp "$f" "$initrd/modules/"
done
cat > "$initrd/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /newroot
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in $modules; do insmod /modules/\$m.ko; done
i=0; while [ ! -b /dev/vda ] && [ \$i -lt 100 ]; do sleep 0.1; i=\$((i + 1)); done
mount -t ext4 -o rw /dev/vda /newroot || { echo "macetools-vm: cannot mount /dev/vda"; exec sh; }
# qemu's user network: the guest is 10.0.2.15, the gateway 10.0.2.2.
ip link set lo up; ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0; ip route add default via 10.0.2.2
umount /proc /sys; mount --move /dev /newroot/dev
exec switch_root /newroot /sbin/macetools-vm-init
INIT
chmod 755 "$initrd/init"
(cd "$initrd" && find . | cpio -o -H newc --quiet | gzip -1) > "$part/initrd.img"
rm -rf "$initrd" "$kernel"

say "disk image (ext4 from the root folder, no mount)"
# The root plus room for the agents, pocl's cache and the programs made there.
size_mb=$(( $(du -sm "$root" | cut -f1) + 768 ))
mke2fs -q -t ext4 -L pi -d "$root" "$part/disk.img" "${size_mb}M"
rm -rf "$out"
mv "$part" "$out"
say "made $out ($(du -sh "$out/disk.img" | cut -f1) disk, ${size_mb} MB apparent)"
