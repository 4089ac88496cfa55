#!/usr/bin/env bash
# setup-desktop-deps.sh: Debian 12 packages to build the Tauri 2 desktop shell and run it
# headless (Xvfb). Installs only what is missing; fast when everything is present.
set -euo pipefail
PKGS=(libwebkit2gtk-4.1-dev librsvg2-dev libayatana-appindicator3-dev libssl-dev build-essential
      file libxdo-dev pkg-config xvfb xauth xdotool imagemagick webkit2gtk-driver dbus-daemon procps)
[[ $EUID -eq 0 ]] || { echo "setup-desktop-deps: run as root" >&2; exit 1; }
missing=()
declare -A have=()
while read -r pkg s1 s2 s3; do
  [[ "$s1 $s2 $s3" == "install ok installed" ]] && have["$pkg"]=1
done < <(dpkg-query -W -f='${Package} ${Status}\n' "${PKGS[@]}" 2>/dev/null || true)
for p in "${PKGS[@]}"; do [[ -n "${have[$p]:-}" ]] || missing+=("$p"); done
if ((${#missing[@]})); then
  echo "setup-desktop-deps: apt: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  log=$(mktemp)
  if ! { apt-get update -q && apt-get install -y -q "${missing[@]}"; } >"$log" 2>&1; then
    tail -n 30 "$log" >&2; rm -f "$log"; exit 1
  fi
  rm -f "$log"
fi

# tauri-driver: the WebDriver intermediary for the end-to-end tests (tests/e2e/run.sh), in
# front of WebKitWebDriver (package webkit2gtk-driver above). From crates.io; ~1 min to build.
TAURI_DRIVER_VERSION=2.1.0
if ! command -v tauri-driver >/dev/null && [[ ! -x ${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver ]]; then
  command -v cargo >/dev/null || { echo "setup-desktop-deps: cargo is needed for tauri-driver" >&2; exit 1; }
  echo "setup-desktop-deps: cargo: installing tauri-driver $TAURI_DRIVER_VERSION" >&2
  log=$(mktemp)
  if ! cargo install tauri-driver --version "$TAURI_DRIVER_VERSION" --locked >"$log" 2>&1; then
    tail -n 30 "$log" >&2; rm -f "$log"; exit 1
  fi
  rm -f "$log"
fi
# Node.js >= 20.20 and npm for the e2e tests' WebdriverIO (tests/e2e/package.json): the
# machine's own; Debian 12's nodejs (18.19) is too old for webdriverio 9.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "setup-desktop-deps: warning: node/npm missing; tests/e2e needs Node.js >= 20.20" >&2
fi
