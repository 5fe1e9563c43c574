#!/usr/bin/env bash
# The live real-kernel check for CI: installs the Debian packages and fetches both kernel sources
# (kernel-lab/setup.sh), builds Linux 6.12.117 and 7.3.4 or takes them from $KLAB_CACHE_DIR
# (build-kernel.sh), boots each in QEMU on a few presets and corpus scenarios, and compares each
# statement with the model (src/real/live-check.ts). Exits non-zero on any difference not listed in
# kernel-lab/recordings/exceptions.json, or when a live kernel no longer agrees with the committed
# recording of the same scenario on the same kernel.
# Budget (CI has 90 min, npm test takes about 10): from a cold cache on 2 idle cores, about 1 min
# for apt and the two source downloads, 5-10 min per kernel build, and about 20-45 s per boot
# (QEMU TCG; a held pin adds about 25 s); with both kernels cached, about 8 minutes. The live part
# is cut at 40 minutes (KLAB_CI_TIMEOUT) so that CI always ends.
#
#   kernel-lab/ci-live.sh [NAME...]     e.g. presets/upstream-basic corpus/seed-0004
set -euo pipefail
LAB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$LAB/.." && pwd)"
t0=$(date +%s)
"$LAB/setup.sh" all
t1=$(date +%s)
"$LAB/build-kernel.sh" 6.12 > /dev/null
t2=$(date +%s)
"$LAB/build-kernel.sh" 7.3 > /dev/null
t3=$(date +%s)
"$LAB/build-initramfs.sh" > /dev/null
cd "$ROOT"
[ -d node_modules ] || { echo "ci-live: node_modules missing: run npm ci first" >&2; exit 1; }
status=0
left=$(( ${KLAB_CI_TIMEOUT:-2400} - (t3 - t0) ))
[ "$left" -gt 60 ] || left=60
timeout "$left" npx tsx src/real/live-check.ts --linux all "$@" || status=$?
t4=$(date +%s)
echo "ci-live: setup $((t1 - t0)) s, kernel 6.12 $((t2 - t1)) s, kernel 7.3 $((t3 - t2)) s, scenarios $((t4 - t3)) s, total $((t4 - t0)) s"
exit "$status"
