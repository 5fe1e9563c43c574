#!/usr/bin/env bash
# Builds one lab kernel: Debian's linux-source-6.12 or linux-source-7.3 (kernels.sh; fetched by
# setup.sh), `make tinyconfig` + p2pdma-X.Y.config, plus the observation-only debug-pages-X.Y.patch
# (a read-only p2pmem/debug_pages attribute). The bzImage is cached in $KLAB_CACHE_DIR/KEY/ with
# KEY = sha256(source package and version + fragment + patch), one entry per kernel, so a rerun
# with nothing changed takes well under a second.
#
#   kernel-lab/build-kernel.sh [6.12|7.3]   (default 7.3)
#
#   KLAB_NO_PATCH=1   build without the patch (results must be identical; refcounts absent)
#   KLAB_JOBS=N       make -jN (default 2)
#   KLAB_BUILD_DIR, KLAB_CACHE_DIR   other build/cache directories (e.g. to time a fresh build);
#                     CI uses KLAB_CACHE_DIR=/var/cache/p2pviz/kernel-lab
#
# Prints the cache directory on the last line of stdout.
set -euo pipefail

LAB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=kernels.sh
. "$LAB/kernels.sh"
KVER="${1:-7.3}"
PKG="$(klab_kernel "$KVER" package)" || exit 2
SRC_VERSION="$(klab_kernel "$KVER" version)"
SRC_TAR="$(klab_source_tar "$KVER")"
FRAGMENT="$LAB/p2pdma-$KVER.config"
PATCH="$LAB/debug-pages-$KVER.patch"
BUILD="${KLAB_BUILD_DIR:-$LAB/build}/$KVER"
CACHE="${KLAB_CACHE_DIR:-$LAB/cache}"
JOBS="${KLAB_JOBS:-2}"

log() { echo "build-kernel: $*" >&2; }
die() { echo "build-kernel: $*" >&2; exit 1; }

[ -f "$SRC_TAR" ] || die "$SRC_TAR not found: run kernel-lab/setup.sh $KVER first (fetches $PKG $SRC_VERSION)"
for t in make gcc flex bison bc cpio xz; do
  command -v "$t" >/dev/null 2>&1 || die "'$t' not found: run kernel-lab/setup.sh first"
done

if [ "${KLAB_NO_PATCH:-0}" = 1 ]; then PATCH_TEXT=""; VARIANT=nopatch; else PATCH_TEXT="$(cat "$PATCH")"; VARIANT=debug; fi
KEY="$( { echo "$PKG $SRC_VERSION"; echo "--- fragment"; cat "$FRAGMENT"; echo "--- patch"; printf '%s' "$PATCH_TEXT"; } | sha256sum | cut -c1-16)"
OUT_CACHE="$CACHE/$KEY"

if [ -f "$OUT_CACHE/bzImage" ] && [ -f "$OUT_CACHE/kernelrelease" ]; then
  log "cached: $(cat "$OUT_CACHE/kernelrelease") ($VARIANT) in $OUT_CACHE"
  echo "$OUT_CACHE"
  exit 0
fi

# About 1.9 GB for source plus objects.
avail_kb="$(df -Pk "$LAB" | awk 'NR==2 {print $4}')"
if [ -n "$avail_kb" ] && [ "$avail_kb" -lt 2500000 ]; then
  die "not enough disk space in $LAB: $((avail_kb / 1024)) MiB free, the kernel build needs about 2500 MiB"
fi

t0=$(date +%s)
mkdir -p "$BUILD" "$CACHE"
TREE="$BUILD/$PKG"
if [ ! -f "$TREE/.klab-source-version" ] || [ "$(cat "$TREE/.klab-source-version")" != "$SRC_VERSION" ]; then
  log "unpacking $SRC_TAR ($SRC_VERSION)"
  rm -rf "$TREE" "$BUILD/unpack.tmp" "$BUILD/out"
  mkdir -p "$BUILD/unpack.tmp"
  tar -C "$BUILD/unpack.tmp" -xf "$SRC_TAR"
  mv "$BUILD/unpack.tmp/$PKG" "$TREE"
  rmdir "$BUILD/unpack.tmp"
  echo "$SRC_VERSION" > "$TREE/.klab-source-version"
  rm -f "$TREE/.klab-applied.patch"
fi

# Bring the tree to exactly the wanted patch: undo the one applied before, then apply ours.
APPLIED="$TREE/.klab-applied.patch"
if [ -f "$APPLIED" ] && [ "$(cat "$APPLIED")" != "$PATCH_TEXT" ]; then
  log "reverting the previously applied patch"
  patch -d "$TREE" -p1 -R --quiet < "$APPLIED" || die "could not revert the old patch; delete $TREE and rerun"
  rm -f "$APPLIED"
fi
if [ -n "$PATCH_TEXT" ] && [ ! -f "$APPLIED" ]; then
  log "applying $(basename "$PATCH")"
  patch -d "$TREE" -p1 --quiet --forward < "$PATCH" || die "$(basename "$PATCH") does not apply to $SRC_VERSION"
  cp "$PATCH" "$APPLIED"
fi

OUT="$BUILD/out"
mkdir -p "$OUT"
log "configuring: tinyconfig + $(basename "$FRAGMENT")"
make -s -C "$TREE" O="$OUT" tinyconfig >/dev/null
"$TREE/scripts/kconfig/merge_config.sh" -m -O "$OUT" "$OUT/.config" "$FRAGMENT" >/dev/null
make -s -C "$TREE" O="$OUT" olddefconfig >/dev/null

# Every fragment line must have survived olddefconfig (a dropped dependency would silently drop it).
lost=0
while IFS= read -r line; do
  case "$line" in ''|'#'*) continue ;; esac
  if ! grep -qxF "$line" "$OUT/.config"; then
    log "fragment line did not survive olddefconfig: $line"
    lost=1
  fi
done < "$FRAGMENT"
[ "$lost" = 0 ] || die "config fragment not fully applied (see above)"

log "make -j$JOBS bzImage (about 5 minutes on 2 idle cores the first time)"
tb=$(date +%s)
if ! make -s -C "$TREE" O="$OUT" -j"$JOBS" bzImage > "$BUILD/make.log" 2>&1; then
  tail -30 "$BUILD/make.log" >&2
  die "kernel build failed; full log in $BUILD/make.log"
fi
te=$(date +%s)

mkdir -p "$OUT_CACHE.tmp"
cp "$OUT/arch/x86/boot/bzImage" "$OUT_CACHE.tmp/bzImage"
cp "$OUT/.config" "$OUT_CACHE.tmp/config"
make -s -C "$TREE" O="$OUT" kernelrelease > "$OUT_CACHE.tmp/kernelrelease"
echo "$KVER" > "$OUT_CACHE.tmp/lab-kernel"
echo "$PKG $SRC_VERSION" > "$OUT_CACHE.tmp/source"
echo "$VARIANT" > "$OUT_CACHE.tmp/variant"
printf 'total_s=%s make_s=%s jobs=%s\n' "$((te - t0))" "$((te - tb))" "$JOBS" > "$OUT_CACHE.tmp/build-time"
rm -rf "$OUT_CACHE"
mv "$OUT_CACHE.tmp" "$OUT_CACHE"
log "built $(cat "$OUT_CACHE/kernelrelease") ($VARIANT) in $((te - t0)) s (make $((te - tb)) s) -> $OUT_CACHE"
echo "$OUT_CACHE"
