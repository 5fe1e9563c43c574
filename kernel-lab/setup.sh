#!/usr/bin/env bash
# Installs what the real-kernel lab needs from Debian, and fetches the two kernel source packages
# the lab builds (kernels.sh): linux-source-6.12 6.12.117 (bookworm-security) and linux-source-7.3
# 7.3.4 (trixie-backports). The sources are fetched with `apt-get download` through a private apt
# configuration (its own sources list and state directories under a temporary directory), so the
# system's apt configuration is never changed and this works on bookworm and trixie alike. Each
# source tarball is kept in $KLAB_SRC_DIR (default /var/cache/p2pviz/linux-source) as
# linux-source-X.Y_VERSION.tar.xz.
#
# Idempotent: when everything is present it only checks (well under a second) and touches no network.
#
#   kernel-lab/setup.sh [6.12|7.3|all]     (default: all)
set -euo pipefail
LAB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=kernels.sh
. "$LAB/kernels.sh"

WHICH="${1:-all}"
case "$WHICH" in all) KERNELS=("${KLAB_KERNELS[@]}") ;; *) klab_kernel "$WHICH" >/dev/null; KERNELS=("$WHICH") ;; esac

PKGS=(build-essential gcc make flex bison bc libelf-dev libssl-dev cpio xz-utils qemu-system-x86 busybox-static)

SUDO=""
need_root() {
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
      echo "setup: need root (or sudo) for: $*" >&2
      exit 1
    fi
  fi
}

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  need_root "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get -o DPkg::Lock::Timeout=900 update -qq
  $SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}"
fi

# Fetches one source package with a private apt configuration and keeps only its tarball.
fetch_source() { # kernel
  local k="$1" pkg ver suite tar
  pkg="$(klab_kernel "$k" package)"
  ver="$(klab_kernel "$k" version)"
  suite="$(klab_kernel "$k" suite)"
  tar="$(klab_source_tar "$k")"
  [ -f "$tar" ] && return 0
  mkdir -p "$KLAB_SRC_DIR" 2>/dev/null || { need_root "mkdir $KLAB_SRC_DIR"; $SUDO mkdir -p "$KLAB_SRC_DIR"; $SUDO chown "$(id -u):$(id -g)" "$KLAB_SRC_DIR"; }
  local tmp
  tmp="$(mktemp -d)"
  chmod 755 "$tmp"
  mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial" "$tmp/etc/sources.list.d" "$tmp/etc/preferences.d" "$tmp/etc/apt.conf.d" "$tmp/dl"
  : > "$tmp/status"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $suite" > "$tmp/etc/sources.list"
  cat > "$tmp/apt.conf" <<EOF
Dir::State "$tmp";
Dir::State::Lists "$tmp/lists";
Dir::State::status "$tmp/status";
Dir::Cache "$tmp/cache";
Dir::Etc::SourceList "$tmp/etc/sources.list";
Dir::Etc::SourceParts "$tmp/etc/sources.list.d";
Dir::Etc::Parts "$tmp/etc/apt.conf.d";
Dir::Etc::Preferences "$tmp/etc/preferences";
Dir::Etc::PreferencesParts "$tmp/etc/preferences.d";
APT::Sandbox::User "root";
EOF
  echo "setup: fetching $pkg=$ver ($suite) with a private apt configuration"
  APT_CONFIG="$tmp/apt.conf" apt-get -qq update
  (cd "$tmp/dl" && APT_CONFIG="$tmp/apt.conf" apt-get -qq download "$pkg=$ver")
  local deb
  deb="$(ls "$tmp"/dl/"${pkg}"_*.deb)"
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" "./usr/src/$pkg.tar.xz"
  mv "$tmp/usr/src/$pkg.tar.xz" "$tar.tmp"
  mv "$tar.tmp" "$tar"
  rm -rf "$tmp"
  echo "setup: $tar"
}

for k in "${KERNELS[@]}"; do fetch_source "$k"; done
echo "setup: all present (${PKGS[*]}; sources for ${KERNELS[*]} in $KLAB_SRC_DIR)"
