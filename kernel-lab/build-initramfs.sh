#!/usr/bin/env bash
# Builds the lab guest's base initramfs (busybox-static, /init, the static p2prun) into
# kernel-lab/cache/initramfs-KEY.cpio, KEY = sha256 of p2prun.c, init and the busybox binary.
# The scenario itself is appended per run as a second cpio archive (see src/real/lab.ts).
# Prints the path of the archive on stdout.
set -euo pipefail
LAB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUSYBOX=/bin/busybox
die() { echo "build-initramfs: $*" >&2; exit 1; }
bb_banner="$("$BUSYBOX" 2>&1 || true)"
[ -x "$BUSYBOX" ] && [[ "$bb_banner" == BusyBox* ]] || die "busybox-static not installed: run kernel-lab/setup.sh"
file_static() { ! LC_ALL=C readelf -l "$1" 2>/dev/null | grep -q 'Requesting program interpreter'; }
file_static "$BUSYBOX" || die "$BUSYBOX is not static: install busybox-static (kernel-lab/setup.sh)"
command -v gcc >/dev/null || die "gcc not found: run kernel-lab/setup.sh"
command -v cpio >/dev/null || die "cpio not found: run kernel-lab/setup.sh"

KEY="$(cat "$LAB/guest/p2prun.c" "$LAB/guest/init" "$BUSYBOX" | sha256sum | cut -c1-16)"
OUT="$LAB/cache/initramfs-$KEY.cpio"
if [ -f "$OUT" ]; then echo "$OUT"; exit 0; fi
mkdir -p "$LAB/cache"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/root/bin" "$TMP/root/proc" "$TMP/root/sys" "$TMP/root/dev" "$TMP/root/tmp"
gcc -static -pthread -O2 -Wall -Wextra -Wno-unused-parameter -Wno-format-truncation -o "$TMP/root/p2prun" "$LAB/guest/p2prun.c" 2> "$TMP/gcc.log" \
  || { cat "$TMP/gcc.log" >&2; die "gcc -static failed (is libc6-dev installed?)"; }
grep -v 'statically linked applications requires at runtime' "$TMP/gcc.log" | grep -i warning >&2 || true
cp "$BUSYBOX" "$TMP/root/bin/busybox"
cp "$LAB/guest/init" "$TMP/root/init"
chmod 755 "$TMP/root/init" "$TMP/root/p2prun"
(cd "$TMP/root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "$OUT"
