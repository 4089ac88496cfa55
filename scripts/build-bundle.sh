#!/usr/bin/env bash
# build-bundle.sh [release|debug]: build the desktop app's Linux installer (.deb)
# with tauri-cli from the npm registry (@tauri-apps/cli in ui/package.json) and
# print its path and size. Windows/macOS installers are built on those systems
# (docs/it-guide.md).
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-release}
export CARGO_TERM_COLOR=never
bash scripts/setup-desktop-deps.sh
(cd ui && { [[ -d node_modules ]] || npm ci --no-audit --no-fund --loglevel=error; } && npm run --silent build)
flags=(build --bundles deb --ci)
[[ $profile == debug ]] && flags+=(--debug)
(cd src-tauri && ../ui/node_modules/.bin/tauri "${flags[@]}")
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
deb=$(ls -t "$target_dir/$profile/bundle/deb/"*.deb | head -1)
echo "build-bundle: $deb ($(du -k "$deb" | cut -f1) KiB)"
dpkg-deb --info "$deb" | sed -n 's/^ *\(Package\|Version\|Depends\|Installed-Size\):/  &/p'
