#!/usr/bin/env bash
# End-to-end tests of the KýSố desktop app through WebDriver:
# WebdriverIO -> tauri-driver -> WebKitWebDriver -> the app, on a private Xvfb display.
#
#   tests/e2e/run.sh APP_BINARY ARTIFACTS_DIR [SPEC.test.js …]
#
# Needs: node >= 20.20, npm, Xvfb, WebKitWebDriver (apt: webkit2gtk-driver), tauri-driver
# (cargo install tauri-driver --locked); scripts/setup-desktop-deps.sh installs all of them.
# Env: E2E_TIMEOUT seconds for the whole run (default 600), E2E_TEST_TIMEOUT_MS per spec
# file (default 180000); see lib/session.js for the rest.
# Prints `e2e: N passed, M failed` and exits non-zero if anything failed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
[[ $# -ge 2 ]] || { echo "usage: $0 APP_BINARY ARTIFACTS_DIR [SPEC…]" >&2; exit 2; }
app=$(realpath -m -- "$1")
artifacts=$(realpath -m -- "$2")
shift 2
[[ -x $app ]] || { echo "e2e: app binary not found or not executable: $app" >&2; exit 2; }
mkdir -p "$artifacts"

for tool in node npm Xvfb WebKitWebDriver; do
  command -v "$tool" >/dev/null || { echo "e2e: missing $tool (run scripts/setup-desktop-deps.sh)" >&2; exit 2; }
done
command -v tauri-driver >/dev/null || [[ -x ${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver ]] ||
  { echo "e2e: missing tauri-driver (cargo install tauri-driver --locked)" >&2; exit 2; }

cd "$here"
# Install exactly the locked dependencies; skip when node_modules already matches the lock.
if ! cmp -s package-lock.json node_modules/.package-lock.json 2>/dev/null &&
   ! { [[ -f node_modules/.e2e-lock ]] && cmp -s package-lock.json node_modules/.e2e-lock; }; then
  log=$(mktemp)
  if ! npm ci --no-audit --no-fund --ignore-scripts --prefer-offline >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; echo "e2e: npm ci failed" >&2; exit 2
  fi
  rm -f "$log"
  cp package-lock.json node_modules/.e2e-lock
fi

if (($#)); then specs=("$@"); else specs=(specs/*.test.js); fi
export E2E_APP=$app E2E_ARTIFACTS=$artifacts LANG=${LANG:-C.UTF-8} LC_ALL=${LC_ALL:-C.UTF-8}

# One spec file at a time (each starts its own Xvfb + driver + app; 2 shared cores).
# The TAP stream goes to the artefacts and is summarised below.
tap="$artifacts/e2e.tap"
set +e
timeout --kill-after=20 "${E2E_TIMEOUT:-600}" \
  node --test --test-concurrency=1 --test-timeout="${E2E_TEST_TIMEOUT_MS:-180000}" \
       --test-reporter=tap --test-reporter-destination="$tap" \
       --test-reporter=spec --test-reporter-destination=stdout \
       "${specs[@]}"
rc=$?
set -e

pass=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$tap" | tail -n1)
fail=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$tap" | tail -n1)
cancelled=$(sed -n 's/^# cancelled \([0-9]*\)$/\1/p' "$tap" | tail -n1)
pass=${pass:-0}
fail=$(( ${fail:-0} + ${cancelled:-0} ))
if ((rc == 124 || rc == 137)); then
  echo "e2e: timed out after ${E2E_TIMEOUT:-600}s" >&2
  ((fail > 0)) || fail=1
elif ((rc != 0 && fail == 0)); then
  fail=1   # the runner failed outside any test (e.g. a spec file did not load)
fi
if ((fail > 0)); then
  echo "e2e: logs and screenshots in $artifacts (driver/app log: $artifacts/logs/*.tauri-driver.log)"
fi
echo "e2e: $pass passed, $fail failed"
((fail == 0 && rc == 0))
