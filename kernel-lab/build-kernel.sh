#!/usr/bin/env bash
# Builds the lab kernel: Debian's linux-source-6.12, `make tinyconfig` + p2pdma.config, plus the
# observation-only debug-pages.patch (a read-only p2pmem/debug_pages attribute). The bzImage is cached
# in kernel-lab/cache/KEY/ with KEY = sha256(fragment + patch + source package version), so a rerun
# with nothing changed takes well under a second.
#
#   KLAB_NO_PATCH=1   build without debug-pages.patch (results must be identical; refcounts absent)
#   KLAB_JOBS=N       make -jN (default 2)
#   KLAB_BUILD_DIR, KLAB_CACHE_DIR   other build/cache directories (e.g. to time a fresh build)
#
# Prints the cache directory on the last line of stdout.
set -euo pipefail

LAB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SRC_TAR=/usr/src/linux-source-6.12.tar.xz
FRAGMENT="$LAB/p2pdma.config"
PATCH="$LAB/debug-pages.patch"
BUILD="${KLAB_BUILD_DIR:-$LAB/build}"
CACHE="${KLAB_CACHE_DIR:-$LAB/cache}"
JOBS="${KLAB_JOBS:-2}"

log() { echo "build-kernel: $*" >&2; }
die() { echo "build-kernel: $*" >&2; exit 1; }

[ -f "$SRC_TAR" ] || die "$SRC_TAR not found: run kernel-lab/setup.sh first (installs linux-source-6.12)"
for t in make gcc flex bison bc cpio xz; do
  command -v "$t" >/dev/null 2>&1 || die "'$t' not found: run kernel-lab/setup.sh first"
done

SRC_VERSION="$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || stat -c %s-%Y "$SRC_TAR")"
if [ "${KLAB_NO_PATCH:-0}" = 1 ]; then PATCH_TEXT=""; VARIANT=nopatch; else PATCH_TEXT="$(cat "$PATCH")"; VARIANT=debug; fi
KEY="$( { echo "linux-source-6.12 $SRC_VERSION"; echo "--- fragment"; cat "$FRAGMENT"; echo "--- patch"; printf '%s' "$PATCH_TEXT"; } | sha256sum | cut -c1-16)"
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
TREE="$BUILD/linux-source-6.12"
if [ ! -f "$TREE/.klab-source-version" ] || [ "$(cat "$TREE/.klab-source-version")" != "$SRC_VERSION" ]; then
  log "unpacking $SRC_TAR ($SRC_VERSION)"
  rm -rf "$TREE" "$BUILD/unpack.tmp" "$BUILD/out"
  mkdir -p "$BUILD/unpack.tmp"
  tar -C "$BUILD/unpack.tmp" -xf "$SRC_TAR"
  mv "$BUILD/unpack.tmp/linux-source-6.12" "$TREE"
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
  patch -d "$TREE" -p1 --quiet --forward < "$PATCH" || die "debug-pages.patch does not apply to $SRC_VERSION"
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

log "make -j$JOBS bzImage (about 3 minutes on 2 cores the first time)"
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
echo "$VARIANT" > "$OUT_CACHE.tmp/variant"
printf 'total_s=%s make_s=%s jobs=%s\n' "$((te - t0))" "$((te - tb))" "$JOBS" > "$OUT_CACHE.tmp/build-time"
rm -rf "$OUT_CACHE"
mv "$OUT_CACHE.tmp" "$OUT_CACHE"
log "built $(cat "$OUT_CACHE/kernelrelease") ($VARIANT) in $((te - t0)) s (make $((te - tb)) s) -> $OUT_CACHE"
echo "$OUT_CACHE"
