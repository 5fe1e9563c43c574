#!/usr/bin/env bash
# Boots the lab kernel in QEMU on one scenario and prints the kernel's behaviour as JSON:
#   { kernel, statements: [{ line, text, result, available: {dev: bytes|null}, refcounts? }], notes }
# Builds the kernel and initramfs first if they are not cached. For the side-by-side comparison
# with the model use `npm run real -- FILE`.
#
#   kernel-lab/run.sh FILE [--linux 6.12|7.3] [--no-patch] [--console]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ $# -ge 1 ] || { echo "usage: kernel-lab/run.sh FILE [--linux 6.12|7.3] [--no-patch] [--console]" >&2; exit 2; }
FILE="$1"; shift
[ "$FILE" = - ] || FILE="$(cd "$(dirname "$FILE")" && pwd)/$(basename "$FILE")"
cd "$ROOT"
exec npx tsx src/real/run-cli.ts "$FILE" "$@"
