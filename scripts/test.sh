#!/usr/bin/env bash
# The README's test command: installs everything the tests need on a fresh Debian machine, then runs
# type checks, lint, unit + property tests and the end-to-end tests in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
fc-list 2>/dev/null | grep -qi dejavu || need_apt+=(fonts-dejavu-core)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "== installing Debian packages: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

echo "== npm ci"
npm ci --no-audit --no-fund

echo "== typecheck"
npm run -s typecheck
echo "== lint"
npm run -s lint
echo "== unit and property tests"
npx vitest run --reporter=default --reporter=json --outputFile=test-output/unit.json
echo "== end-to-end tests (vite build + preview, headless Chromium)"
npx vite build --logLevel warn
npx vitest run --config vitest.e2e.config.ts --reporter=default --reporter=json --outputFile=test-output/e2e.json
node scripts/summary.mjs test-output/unit.json test-output/e2e.json
