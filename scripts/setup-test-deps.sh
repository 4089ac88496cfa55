#!/usr/bin/env bash
# setup-test-deps.sh: install what KýSố's test bed (tests/fixtures/) needs, on Debian 12 as root.
# Installs only what is missing; `apt-get update` runs only when an apt package is missing.
# Safe to run repeatedly; quiet and fast (well under 2 s) when everything is present.
set -euo pipefail

APT_PACKAGES=(
  softhsm2 opensc            # PKCS#11 test tokens (softhsm2-util, pkcs11-tool)
  poppler-utils              # pdfsig, pdfinfo, pdftoppm, pdftotext
  mupdf-tools                # mutool draw: MuPDF in the render matrix (tests/fixtures/render)
  qpdf                       # qpdf --check, object-stream / version rewrites
  libnss3-tools              # certutil (NSS DB for pdfsig)
  fonts-croscore fonts-liberation2   # Tinos / Liberation Serif (Times-metric, Vietnamese)
  libreoffice-writer-nogui   # soffice --convert-to pdf (drafts)
  openssl ca-certificates    # the test PKI
  time                       # /usr/bin/time for benchmarks
  faketime                   # a time-stamping authority answering "in the past" (tests/fixtures/trust)
  chromium chromium-driver   # the e-office bridge test: a real browser calls wss://127.0.0.1 (tests/bridge.rs)
)
# pypdfium2: PDFium (Chrome's engine) in the render matrix; ships its own libpdfium in the wheel.
PIP_PACKAGES=(pyhanko-cli 'pyhanko[pkcs11]' pillow pypdfium2 freezegun)

log() { echo "setup-test-deps: $*" >&2; }
[[ $EUID -eq 0 ]] || { log "run as root"; exit 1; }

# ---------------------------------------------------------------- apt
missing=()
# one dpkg-query for all packages: "name status" for those dpkg knows
declare -A have=()
while read -r pkg st1 st2 st3; do
  [[ "$st1 $st2 $st3" == "install ok installed" ]] && have["$pkg"]=1
done < <(dpkg-query -W -f='${Package} ${Status}\n' "${APT_PACKAGES[@]}" 2>/dev/null || true)
for p in "${APT_PACKAGES[@]}"; do [[ -n "${have[$p]:-}" ]] || missing+=("$p"); done
if ! command -v python3 >/dev/null; then
  missing+=(python3 python3-pip)
elif ! python3 -c 'import importlib.util as u, sys; sys.exit(0 if u.find_spec("pip") else 1)' 2>/dev/null; then
  missing+=(python3-pip)
fi

if ((${#missing[@]})); then
  log "apt: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  aptlog="$(mktemp)"
  if ! { apt-get update -q && apt-get install -y -q "${missing[@]}"; } >"$aptlog" 2>&1; then
    tail -n 30 "$aptlog" >&2; rm -f "$aptlog"; log "apt-get failed"; exit 1
  fi
  rm -f "$aptlog"
fi

# ---------------------------------------------------------------- pip (the machine's python3)
pip_ok() {
  python3 - <<'PY' 2>/dev/null
import importlib.util as u, shutil, sys
mods = ["pyhanko", "pyhanko.cli", "pkcs11", "PIL", "pypdfium2", "freezegun"]
sys.exit(0 if all(u.find_spec(m) for m in mods) and shutil.which("pyhanko") else 1)
PY
}
if ! pip_ok; then
  log "pip: installing ${PIP_PACKAGES[*]}"
  pipargs=(-q --disable-pip-version-check --root-user-action=ignore)
  # Debian's own python3 is "externally managed" (PEP 668): this is a throw-away test machine
  stdlib="$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')"
  [[ -f "$stdlib/EXTERNALLY-MANAGED" ]] && pipargs+=(--break-system-packages)
  piplog="$(mktemp)"
  if ! python3 -m pip install "${pipargs[@]}" "${PIP_PACKAGES[@]}" >"$piplog" 2>&1; then
    tail -n 30 "$piplog" >&2; rm -f "$piplog"; log "pip install failed"; exit 1
  fi
  rm -f "$piplog"
  command -v pyenv >/dev/null 2>&1 && pyenv rehash >/dev/null 2>&1 || true
  hash -r
  pip_ok || { log "pyhanko/pypdfium2 still not usable after pip install (is pip's script dir on PATH?)"; exit 1; }
fi
exit 0
