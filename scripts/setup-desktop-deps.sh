#!/usr/bin/env bash
# setup-desktop-deps.sh: Debian 12 packages to build the Tauri 2 desktop shell and run it
# headless (Xvfb). Installs only what is missing; fast when everything is present.
set -euo pipefail
PKGS=(libwebkit2gtk-4.1-dev librsvg2-dev libayatana-appindicator3-dev libssl-dev build-essential
      file libxdo-dev pkg-config xvfb xauth xdotool imagemagick webkit2gtk-driver)
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
