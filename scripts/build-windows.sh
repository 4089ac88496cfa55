#!/usr/bin/env bash
# build-windows.sh [--no-installer] [--with-tests]: cross-build KýSố for Windows x64 on
# Debian 12 (as root): kyso.exe (CLI), kyso-desktop.exe (+ WebView2Loader.dll) and the NSIS
# installer KySo_<version>_x64-setup.exe, all in target/windows/dist/; with --with-tests also
# the core's unit tests as a Windows program (its path in dist/unit-tests.txt, for Wine).
# Installs what it needs from apt. Prints the dist folder on its last line.
#
# rustup cannot add the Windows target here (no download), so the standard library is built
# from source: Debian's rustc-web/cargo-web 1.96 with rust-web-src (the std source of exactly
# that compiler) and `-Z build-std` (RUSTC_BOOTSTRAP=1 on the stable compiler), linked by
# mingw-w64. Tauri's bundler is not used for the installer: on Linux it downloads NSIS plug-ins
# and the WebView2 bootstrapper from outside the package registries; the installer is
# src-tauri/windows/installer.nsi, compiled by Debian's makensis. See docs/windows.md.
#
# Environment: KYSO_WIN_TARGET_DIR (default target/windows), KYSO_WIN_PROFILE (release;
# the CI's Windows stage uses dev, which builds in half the time: docs/windows.md §5).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never LANG=C.UTF-8 LC_ALL=C.UTF-8
installer=1 unit_tests=0
for a in "$@"; do
  case $a in
    --no-installer) installer=0 ;;
    --with-tests) unit_tests=1 ;;
    *) echo "usage: build-windows.sh [--no-installer] [--with-tests]" >&2; exit 2 ;;
  esac
done

log() { echo "build-windows: $*" >&2; }
TRIPLE=x86_64-pc-windows-gnu
PROFILE=${KYSO_WIN_PROFILE:-release}
TARGET_DIR=${KYSO_WIN_TARGET_DIR:-$PWD/target/windows}
# Cargo's folder for a profile: `dev` builds into `debug`.
PROFILE_DIR=$PROFILE
[[ $PROFILE == dev ]] && PROFILE_DIR=debug
OUT_DIR=$TARGET_DIR/$TRIPLE/$PROFILE_DIR
DIST=$TARGET_DIR/dist

# ---------------------------------------------------------------- packages (apt only)
PKGS=(rustc-web cargo-web rust-web-src gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 nsis)
missing=()
declare -A have=()
while read -r pkg s1 s2 s3; do
  [[ "$s1 $s2 $s3" == "install ok installed" ]] && have["$pkg"]=1
done < <(dpkg-query -W -f='${Package} ${Status}\n' "${PKGS[@]}" 2>/dev/null || true)
for p in "${PKGS[@]}"; do [[ -n "${have[$p]:-}" ]] || missing+=("$p"); done
if ((${#missing[@]})); then
  [[ $EUID -eq 0 ]] || { log "run as root to install ${missing[*]}"; exit 1; }
  log "apt: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  aptlog=$(mktemp)
  if ! { apt-get update -q && apt-get install -y -q "${missing[@]}"; } >"$aptlog" 2>&1; then
    tail -n 30 "$aptlog" >&2; rm -f "$aptlog"; exit 1
  fi
  rm -f "$aptlog"
fi

# Debian's compiler, not rustup's (which is first on PATH and has no Windows std).
DEB_CARGO=/usr/bin/cargo
export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
export CC_x86_64_pc_windows_gnu=x86_64-w64-mingw32-gcc AR_x86_64_pc_windows_gnu=x86_64-w64-mingw32-ar
export WINDRES=x86_64-w64-mingw32-windres RC_x86_64_pc_windows_gnu=x86_64-w64-mingw32-windres
# The mingw runtime (libgcc, winpthread) linked in, so the exes need no mingw DLL beside them.
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUSTFLAGS="-C target-feature=+crt-static"
# `test` too, although the exes do not use it: with -Z build-std every crate depends on each
# listed standard crate, so the unit tests (which need `test`) then reuse the exes' crates.
STD_CRATES=std,test,panic_abort
sysroot=$($RUSTC --print sysroot)
[[ -f $sysroot/lib/rustlib/src/rust/library/Cargo.lock ]] \
  || { log "rust-web-src does not match $RUSTC ($sysroot/lib/rustlib/src/rust/library missing)"; exit 1; }

# ---------------------------------------------------------------- the web UI the shell embeds
# Rebuilt only when its sources are newer: a fresh ui/dist would make the shell recompile.
t0=$SECONDS
if [[ ! -f ui/dist/index.html ]] || [[ -n $(find ui/src ui/index.html ui/vite.config.js ui/package.json \
     -newer ui/dist/index.html -print -quit) ]]; then
  # Vite 7 needs Node.js >= 20.19 (Debian 12's nodejs is 18): the machine's own, as for
  # the desktop build (scripts/setup-desktop-deps.sh).
  command -v npm >/dev/null \
    || { log "npm is missing: the web UI (ui/dist) needs Node.js >= 20.19 and npm"; exit 1; }
  (cd ui && { [[ -d node_modules ]] || npm install --no-audit --no-fund --loglevel=error; } \
    && npm run --silent build)
fi
t_ui=$((SECONDS - t0))

# ---------------------------------------------------------------- the two executables
t0=$SECONDS
profile_flag=(--profile "$PROFILE")
log "cargo ($($RUSTC --version)) → $OUT_DIR"
$DEB_CARGO build -Zbuild-std="$STD_CRATES" --target "$TRIPLE" "${profile_flag[@]}" \
  --target-dir "$TARGET_DIR" --locked -p kyso --bin kyso -p kyso-desktop --bin kyso-desktop
t_cargo=$((SECONDS - t0))

rm -rf "$DIST"
mkdir -p "$DIST"
cp "$OUT_DIR/kyso.exe" "$OUT_DIR/kyso-desktop.exe" "$DIST/"
# webview2-com-sys (the gnu build loads WebView2Loader.dll at run time) puts it beside the exe.
loader=$(find "$OUT_DIR" -maxdepth 1 -name WebView2Loader.dll | head -1)
[[ -z $loader ]] && loader=$(find "$OUT_DIR/build" -path '*x64/WebView2Loader.dll' | head -1)
[[ -n $loader ]] || { log "WebView2Loader.dll not found under $OUT_DIR"; exit 1; }
cp "$loader" "$DIST/WebView2Loader.dll"
# Symbols and debug information out of the shipped copies (as a profile's `strip = true`).
x86_64-w64-mingw32-strip --strip-all "$DIST/kyso.exe" "$DIST/kyso-desktop.exe"

# Every DLL the exes import must be a Windows system DLL or shipped beside them.
for exe in "$DIST/kyso.exe" "$DIST/kyso-desktop.exe"; do
  while read -r dll; do
    case "${dll,,}" in
      libgcc_s*|libwinpthread*|libstdc++*) log "$exe imports $dll (mingw runtime not linked in)"; exit 1 ;;
    esac
  done < <(x86_64-w64-mingw32-objdump -p "$exe" | sed -n 's/^\s*DLL Name: //p')
done

# The core's unit tests for Windows. Same profile and the same packages selected (-p kyso
# -p kyso-desktop), so features unify as for the exes and the dependencies are reused;
# only the two libraries are compiled again as test programs.
t_tests=0
if ((unit_tests)); then
  t0=$SECONDS
  $DEB_CARGO test --no-run -Zbuild-std="$STD_CRATES" --target "$TRIPLE" "${profile_flag[@]}" \
    --target-dir "$TARGET_DIR" --locked -p kyso -p kyso-desktop --lib \
    --message-format=json-render-diagnostics \
    | python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "kyso":
        print(m["executable"])' >"$DIST/unit-tests.txt"
  [[ -s $DIST/unit-tests.txt ]] || { log "no unit-test executable was built"; exit 1; }
  t_tests=$((SECONDS - t0))
fi

# ---------------------------------------------------------------- installer (NSIS)
t_nsis=0
version=$(sed -n 's/^version = "\(.*\)"/\1/p' src-tauri/Cargo.toml | head -1)
setup="$DIST/KySo_${version}_x64-setup.exe"
if ((installer)); then
  t0=$SECONDS
  # LZMA for the release; zlib for test builds (unoptimised exes, several times larger).
  compressor=()
  [[ $PROFILE == release ]] || compressor=(-DCOMPRESSOR=zlib)
  makensis -V2 -INPUTCHARSET UTF8 -DVERSION="$version" -DDIST="$DIST" -DREPO="$PWD" \
    "${compressor[@]}" -DOUTFILE="$setup" src-tauri/windows/installer.nsi
  t_nsis=$((SECONDS - t0))
fi

size() { du -k "$1" | cut -f1; }
log "kyso.exe $(size "$DIST/kyso.exe") KiB, kyso-desktop.exe $(size "$DIST/kyso-desktop.exe") KiB"
((installer)) && log "$(basename "$setup") $(size "$setup") KiB"
log "time: ui ${t_ui}s, cargo ${t_cargo}s, unit tests ${t_tests}s, installer ${t_nsis}s"
echo "$DIST"
