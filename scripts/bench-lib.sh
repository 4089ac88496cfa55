# bench-lib.sh: helpers shared by scripts/bench-sign.sh, bench-verify.sh, bench-stamp.sh,
# bench-longterm.sh and bench-bridge.sh.
# Sourced after the caller has set ROOT, OUTD, WAIT_IDLE and defined die() and say().
# shellcheck shell=bash

as_root() { if [[ $EUID -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

apt_install() {  # apt_install PKG...: apt-get update only if the install fails without it
  say "installing $* (apt)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null 2>&1 || {
    as_root apt-get update -q >/dev/null
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null
  }
}

# hyperfine -N splits its command strings shell-style, so quote each word
q() { local s; printf -v s '%q ' "$@"; echo "${s% }"; }

# bench_binary EXPORT_DIR: make OUTD absolute, create the work dir W, and put a private copy of
# the kyso binary to measure at $KYSO (KYSO_BIN, or a release build of BENCH_REV exported into
# target/EXPORT_DIR, or of the work tree). Sets SRC_BIN, KYSO, REV, KYSO_VER.
bench_binary() {
  local export_dir="$1"
  mkdir -p "$OUTD"
  OUTD="$(cd "$OUTD" && pwd)"
  W="$OUTD/work"; mkdir -p "$W"
  if [[ -n "${KYSO_BIN:-}" ]]; then
    [[ -x "$KYSO_BIN" ]] || die "KYSO_BIN=$KYSO_BIN is not executable"
    SRC_BIN="$KYSO_BIN"
  elif [[ -n "${BENCH_REV:-}" ]]; then
    # each script has its own export directory: they may run concurrently
    local bsrc="$ROOT/target/$export_dir"
    rm -rf "$bsrc"; mkdir -p "$bsrc"
    (cd "$ROOT" && git archive "$BENCH_REV") | tar -x -C "$bsrc"
    say "cargo build --release -p kyso --bin kyso (git $BENCH_REV, clean export in $bsrc)"
    (cd "$bsrc" && CARGO_TARGET_DIR="$ROOT/target/bench-target" cargo build --release -p kyso --bin kyso) \
      >"$OUTD/build.log" 2>&1 \
      || { tail -n 30 "$OUTD/build.log" >&2; die "release build of $BENCH_REV failed (log: $OUTD/build.log)"; }
    SRC_BIN="$ROOT/target/bench-target/release/kyso"
  else
    say "cargo build --release -p kyso --bin kyso"
    (cd "$ROOT" && cargo build --release -p kyso --bin kyso) >"$OUTD/build.log" 2>&1 \
      || { tail -n 30 "$OUTD/build.log" >&2; die "release build failed (log: $OUTD/build.log)"; }
    SRC_BIN="$ROOT/target/release/kyso"
  fi
  # a private copy: a concurrent `cargo build` must not swap the binary half-way through
  KYSO="$W/kyso"
  cp "$SRC_BIN" "$KYSO"
  if [[ -n "${KYSO_BIN:-}" ]]; then
    REV="binary $KYSO_BIN (KYSO_BIN)"
  elif [[ -n "${BENCH_REV:-}" ]]; then
    REV="$(cd "$ROOT" && git rev-parse --short "$BENCH_REV") (clean export of $BENCH_REV)"
  else
    REV="$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?')"
    local dirty
    dirty="$(cd "$ROOT" && git status --porcelain -- src Cargo.toml Cargo.lock 2>/dev/null | wc -l)"
    (( dirty > 0 )) && REV="$REV work tree + $dirty uncommitted file(s) under src/ Cargo.*"
  fi
  KYSO_VER="$("$KYSO" --version 2>/dev/null | head -1 || true)"
}

# bench_wait_idle: wait up to WAIT_IDLE s for no rustc to run, record the load (RUSTC0, LOAD0,
# TOPCPU: the busiest processes, %CPU over each one's lifetime as ps reports it), then sample the
# load every 2 s into $OUTD/load-samples.txt until the script exits.
bench_wait_idle() {
  local waited=0
  while (( $(pgrep -c rustc || true) > 0 )) && (( waited < WAIT_IDLE )); do
    (( waited == 0 )) && say "rustc is running; waiting up to ${WAIT_IDLE}s for it to finish"
    sleep 10; waited=$((waited + 10))
  done
  RUSTC0="$(pgrep -c rustc || true)"
  LOAD0="$(cut -d' ' -f1-3 /proc/loadavg)"
  TOPCPU="$(ps -eo pcpu=,comm= --sort=-pcpu | awk '$1 >= 5 { printf "%s%s %s%%", sep, $2, $1; sep = ", " }' | cut -c1-200)"
  SAMPLES="$OUTD/load-samples.txt"; : >"$SAMPLES"
  ( while :; do echo "$(date +%s) $(pgrep -c rustc || true) $(cut -d' ' -f1 /proc/loadavg)"; sleep 2; done ) \
    >>"$SAMPLES" 2>/dev/null &
  SAMPLER=$!
  trap 'kill "$SAMPLER" 2>/dev/null || true' EXIT
}

# bench_write_section DOC NAME HEADING TABLE: TABLE between <!-- NAME:begin --> and
# <!-- NAME:end --> in DOC (created if missing); without those markers, appended under
# "# HEADING". Text outside the markers is kept.
bench_write_section() {
  python3 - "$@" <<'PY'
import sys
path, name, heading, table = sys.argv[1:5]
begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
try:
    text = open(path, encoding="utf-8").read()
except FileNotFoundError:
    text = ""
block = f"{begin}\n{table}\n{end}"
if begin in text and end in text:
    a, b = text.index(begin), text.index(end) + len(end)
    text = text[:a] + block + text[b:]
else:
    text = text.rstrip("\n") + f"\n\n# {heading}\n\n" + block + "\n"
open(path, "w", encoding="utf-8").write(text)
PY
}
