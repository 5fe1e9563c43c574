#!/usr/bin/env bash
# Installs what the real-kernel lab needs from Debian. Idempotent: when everything is already
# installed it only checks (well under a second) and does not touch apt.
set -euo pipefail

PKGS=(linux-source-6.12 build-essential gcc make flex bison bc libelf-dev libssl-dev cpio xz-utils
  qemu-system-x86 busybox-static)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present (${PKGS[*]})"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "setup: need root (or sudo) to apt-get install: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -o DPkg::Lock::Timeout=900 update -qq
$SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}"

if [ ! -f /usr/src/linux-source-6.12.tar.xz ]; then
  echo "setup: /usr/src/linux-source-6.12.tar.xz is missing after installing linux-source-6.12" >&2
  exit 1
fi
echo "setup: done"
