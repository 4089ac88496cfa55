#!/usr/bin/env bash
# run.sh: the main job. With a display, the KýSố desktop app; without one, the demo:
# sign and check the bundled sample drafts with the demo identity (not legally valid).
# Installs what it needs the first time (Debian 12, as root).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo >/dev/null || { echo "run.sh: cargo (Rust ≥ 1.89) is required" >&2; exit 1; }
if [[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]]; then
  bash scripts/setup-desktop-deps.sh
  # The web UI the window embeds (ui/dist), built with the npm registry's packages.
  (cd ui && { [[ -d node_modules ]] || npm install --no-audit --no-fund --loglevel=error; } && npm run --silent build)
  exec cargo run --release -p kyso-desktop -- "$@"
fi
exec cargo run --release -q -p kyso --bin kyso -- demo "$@"
