#!/usr/bin/env bash
# Smoke test of the desktop shell: build, start under Xvfb with a sample PDF,
# wait for the main window, take a screenshot, stop the app.
#
#   src-tauri/tests/smoke.sh [SCREENSHOT.png]      (default /tmp/kyso-desktop.png)
#
# Exits 0 only if the KýSố window appeared. Needs: xvfb xauth xdotool imagemagick
# (plus the Tauri build packages listed in src-tauri/README.md).
# Env: KYSO_SMOKE_DISPLAY (default :99), KYSO_SMOKE_TIMEOUT seconds (default 60),
#      KYSO_SMOKE_NO_BUILD=1 to skip `cargo build`, KYSO_SMOKE_USE_DISPLAY=1 to use $DISPLAY.
set -euo pipefail

shot=${1:-/tmp/kyso-desktop.png}
root=$(cd "$(dirname "$0")/../.." && pwd)
display=${KYSO_SMOKE_DISPLAY:-:99}
timeout=${KYSO_SMOKE_TIMEOUT:-60}
export LANG=${LANG:-C.UTF-8} LC_ALL=${LC_ALL:-C.UTF-8}

for tool in Xvfb xdotool import; do
  command -v "$tool" >/dev/null || { echo "smoke: missing $tool (apt: xvfb xdotool imagemagick)" >&2; exit 2; }
done

cd "$root"
if [[ ${KYSO_SMOKE_NO_BUILD:-0} != 1 ]]; then
  cargo build -p kyso-desktop
fi
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
app="$target_dir/debug/kyso-desktop"
[[ -x $app ]] || { echo "smoke: $app not built" >&2; exit 2; }

work=$(mktemp -d)
xvfb_pid='' app_pid=''
cleanup() {
  [[ -n $app_pid ]] && kill "$app_pid" 2>/dev/null && wait "$app_pid" 2>/dev/null || true
  [[ -n $xvfb_pid ]] && kill "$xvfb_pid" 2>/dev/null && wait "$xvfb_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# A sample PDF with a Vietnamese name (the shell only checks that it exists).
sample="$work/công văn mẫu.pdf"
printf '%s\n' '%PDF-1.4' '1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj' \
  '2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj' \
  'trailer << /Root 1 0 R >>' '%%EOF' > "$sample"

if [[ ${KYSO_SMOKE_USE_DISPLAY:-0} == 1 && -n ${DISPLAY:-} ]]; then
  echo "smoke: using DISPLAY=$DISPLAY"
else
  Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
  xvfb_pid=$!
  export DISPLAY=$display
  for _ in $(seq 50); do
    xdotool getdisplaygeometry >/dev/null 2>&1 && break
    kill -0 "$xvfb_pid" 2>/dev/null || { cat "$work/xvfb.log" >&2; echo "smoke: Xvfb failed on $display" >&2; exit 2; }
    sleep 0.1
  done
fi

"$app" --smoke-flag-is-ignored "$sample" >"$work/app.log" 2>&1 &
app_pid=$!
start=$SECONDS

win=''
while (( SECONDS - start < timeout )); do
  if ! kill -0 "$app_pid" 2>/dev/null; then
    echo "smoke: app exited early; log:" >&2; cat "$work/app.log" >&2; exit 1
  fi
  win=$(xdotool search --onlyvisible --name 'KýSố' 2>/dev/null | head -n1 || true)
  [[ -n $win ]] || win=$(xdotool search --onlyvisible --pid "$app_pid" 2>/dev/null | head -n1 || true)
  [[ -n $win ]] && break
  sleep 0.5
done

if [[ -z $win ]]; then
  echo "smoke: no window within ${timeout}s; log:" >&2; cat "$work/app.log" >&2
  import -window root "$shot" 2>/dev/null || true
  exit 1
fi
echo "smoke: window $win \"$(xdotool getwindowname "$win")\" after $((SECONDS - start))s"

sleep "${KYSO_SMOKE_SETTLE:-3}"   # let the web view load and run app.js
import -window root "$shot"
echo "smoke: screenshot $shot"
