#!/usr/bin/env bash
# tests/windows/run.sh [ARTIFACTS]: the Windows stage of scripts/test.sh (issue 14).
#
# 1. Cross-builds kyso.exe, kyso-desktop.exe and the installer (scripts/build-windows.sh).
# 2. Builds the test helpers in this folder with mingw (never committed as binaries):
#    bcryptprimitives.dll (Wine 8 lacks ProcessPrng, which Rust's std imports; Windows 10/11
#    have it), holdopen.exe (a "PDF reader" holding a file open), and a stand-in for
#    Microsoft's WebView2 bootstrapper.
# 3. Makes a fresh, headless Wine prefix (Debian's wine64 8.0) with the shim in system32.
# 4. Runs the core's unit tests built for Windows under Wine, then tests/windows_wine.rs
#    (signing, --force, files held open, long paths, %APPDATA%, drivers, the desktop's agent,
#    the installer) and tests/verify_attacks.rs with every `kyso verify` also run as
#    `wine kyso.exe verify` and compared with the Linux result (attack files, wild corpus).
# Prints the time of each step; ARTIFACTS (default target/test-artifacts/windows) gets the
# exes' and the installer's sizes and the logs.
#
# Profile: KYSO_WIN_PROFILE, default `dev` here (as the .deb stage builds debug): a cold
# cross-build takes about half the release's time (thin LTO), which keeps the whole
# scripts/test.sh within CI's budget (docs/windows.md §5). The shipped build is `release`
# (scripts/build-windows.sh's default); KYSO_WIN_PROFILE=release runs these tests on it.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TERM_COLOR=never LANG=C.UTF-8 LC_ALL=C.UTF-8
art=${1:-target/test-artifacts/windows}
mkdir -p "$art"
art=$(cd "$art" && pwd)
log() { echo "windows-stage: $*" >&2; }
t_all=$SECONDS
export KYSO_WIN_PROFILE=${KYSO_WIN_PROFILE:-dev}

# ---------------------------------------------------------------- packages (apt)
PKGS=(wine wine64 gcc-mingw-w64-x86-64)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  [[ $EUID -eq 0 ]] || { log "run as root to install ${missing[*]}"; exit 1; }
  log "apt: installing ${missing[*]}"
  aptlog=$(mktemp)
  if ! { DEBIAN_FRONTEND=noninteractive apt-get update -q \
         && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"; } >"$aptlog" 2>&1; then
    tail -n 30 "$aptlog" >&2; rm -f "$aptlog"; exit 1
  fi
  rm -f "$aptlog"
fi
command -v wine >/dev/null || { log "wine is missing after install"; exit 1; }

# ---------------------------------------------------------------- 1. the Windows build
t0=$SECONDS
dist=$(bash scripts/build-windows.sh --with-tests 2> >(tee "$art/build.log" >&2) | tail -1)
t_build=$((SECONDS - t0))
[[ -f $dist/kyso.exe && -f $dist/kyso-desktop.exe ]] || { log "build produced no exes in $dist"; exit 1; }
setup=$(ls "$dist"/KySo_*_x64-setup.exe)

# ---------------------------------------------------------------- 2. helpers (mingw)
work=$PWD/target/windows/wine-test
rm -rf "$work"
mkdir -p "$work/helpers"
cc=x86_64-w64-mingw32-gcc
$cc -O2 -Wall -shared -o "$work/helpers/bcryptprimitives.dll" tests/windows/bcryptprimitives.c -ladvapi32
$cc -O2 -Wall -municode -o "$work/helpers/holdopen.exe" tests/windows/holdopen.c
$cc -O2 -Wall -municode -o "$work/helpers/MicrosoftEdgeWebview2Setup.exe" tests/windows/fake-webview2-setup.c

# ---------------------------------------------------------------- 3. the Wine prefix
t0=$SECONDS
export WINEPREFIX=$work/prefix WINEARCH=win64 WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"   # no Mono/Gecko dialogs, no menus
unset DISPLAY WAYLAND_DISPLAY
stop_wine() { wineserver -k >/dev/null 2>&1 || true; }
trap stop_wine EXIT
wineboot -i >"$art/wineboot.log" 2>&1 || { cat "$art/wineboot.log" >&2; exit 1; }
wineserver -w
cp "$work/helpers/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/"
# One server for the tests (until the installer's), and Wine's service processes started
# here with no test's output attached (they would inherit a test's pipes and keep its
# command from ending).
wineserver -p </dev/null >/dev/null 2>&1
wine cmd /c exit </dev/null >/dev/null 2>&1
# A GUI program once too (kyso-desktop.exe's token helper, asked to stop): Wine then starts
# its desktop process here rather than in a test.
echo '{"id":1,"op":"shutdown"}' | wine "$dist/kyso-desktop.exe" --agent >/dev/null 2>&1
t_prefix=$((SECONDS - t0))

# ---------------------------------------------------------------- 4. tests under Wine
export KYSO_WINE_KYSO=$dist/kyso.exe KYSO_WINE_DIST=$dist KYSO_WINE_HELPERS=$work/helpers
export KYSO_WINE_INSTALLER_PREFIX=$WINEPREFIX

# 4a. The core's own unit tests, compiled for Windows, run by Wine.
t0=$SECONDS
unit=$(cat "$dist/unit-tests.txt")
log "core unit tests under Wine: $unit"
if ! (cd "$work" && wine "$unit" --test-threads 2) >"$art/unit-tests.log" 2>&1; then
  tail -n 60 "$art/unit-tests.log" >&2
  log "unit tests failed under Wine (log: $art/unit-tests.log)"
  exit 1
fi
grep -E '^test result' "$art/unit-tests.log" >&2
t_unit=$((SECONDS - t0))

# 4b. kyso.exe, kyso-desktop.exe and the installer; verify verdicts against Linux.
nextest=0
{ command -v cargo-nextest >/dev/null || cargo nextest --version >/dev/null 2>&1; } && nextest=1
t0=$SECONDS
if ((nextest)); then
  cargo nextest run -p kyso --test windows_wine --run-ignored only --no-fail-fast \
    --failure-output final --status-level fail -E 'not test(installer)'
else
  cargo test -p kyso --test windows_wine -- --ignored --skip installer
fi
t_wine=$((SECONDS - t0))
t0=$SECONDS
if ((nextest)); then
  cargo nextest run -p kyso --test verify_attacks --no-fail-fast --failure-output final --status-level fail
else
  cargo test -p kyso --test verify_attacks
fi
t_verify=$((SECONDS - t0))

# 4c. The installer, last and alone in the prefix: it installs, uninstalls and deletes
#     %APPDATA%\kyso, and waits for Wine's server to end (so not the persistent one).
wineserver -k || true
t0=$SECONDS
if ((nextest)); then
  cargo nextest run -p kyso --test windows_wine --run-ignored only --failure-output final \
    --status-level fail -E 'test(installer)'
else
  cargo test -p kyso --test windows_wine -- --ignored installer
fi
t_installer=$((SECONDS - t0))

size() { du -k "$1" | cut -f1; }
{
  echo "kyso.exe $(size "$dist/kyso.exe") KiB"
  echo "kyso-desktop.exe $(size "$dist/kyso-desktop.exe") KiB"
  echo "$(basename "$setup") $(size "$setup") KiB"
  echo "profile: $KYSO_WIN_PROFILE"
  echo "time: build ${t_build}s, prefix ${t_prefix}s, unit tests ${t_unit}s, windows_wine ${t_wine}s, verify comparison ${t_verify}s, installer ${t_installer}s, total $((SECONDS - t_all))s"
} | tee "$art/report.txt" >&2
