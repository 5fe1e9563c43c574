#!/usr/bin/env bash
# The live real-kernel check for CI: installs the Debian packages (kernel-lab/setup.sh), builds the
# lab kernel or takes it from kernel-lab/cache/ (build-kernel.sh), boots it in QEMU on a few presets
# and corpus scenarios, and compares each statement with the model (src/real/live-check.ts).
# Exits non-zero on any difference not listed in kernel-lab/recordings/exceptions.json, or when the
# live kernel no longer agrees with the committed recording of the same scenario.
# Budget: a fresh 2-core machine needs about 1 min for apt, 3-6 min for the kernel build and about
# 5 s per scenario (about 30 s for one with a held pin); with the cache, about 2 minutes.
#
#   kernel-lab/ci-live.sh [NAME...]     e.g. presets/upstream-basic corpus/seed-0004
set -euo pipefail
LAB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$LAB/.." && pwd)"
t0=$(date +%s)
"$LAB/setup.sh"
t1=$(date +%s)
"$LAB/build-kernel.sh" > /dev/null
t2=$(date +%s)
"$LAB/build-initramfs.sh" > /dev/null
cd "$ROOT"
[ -d node_modules ] || { echo "ci-live: node_modules missing: run npm ci first" >&2; exit 1; }
status=0
timeout 1500 npx tsx src/real/live-check.ts "$@" || status=$?
t3=$(date +%s)
echo "ci-live: setup $((t1 - t0)) s, kernel $((t2 - t1)) s, scenarios $((t3 - t2)) s, total $((t3 - t0)) s"
exit "$status"
