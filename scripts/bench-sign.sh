#!/usr/bin/env bash
# scripts/bench-sign.sh [TESTBED_DIR]
#
# Whole-process benchmarks of `kyso sign` on one machine, one SoftHSM2 token, the same files:
#   1. kyso sign vs pyHanko (PKCS#11, PAdES, invisible) on drafts/draft-lo.pdf (2 pages)
#                                                           target: pyHanko/kyso >= 10x
#   2. kyso sign vs sha256sum on drafts/big-300p.pdf (~55 MB) target: kyso/sha256sum <= 2x
#      (openssl dgst -sha256 is timed too, as an information-only reference)
#   3. peak RSS of kyso sign on big-300p.pdf (/usr/bin/time -v) target: < 64 MiB
#      (pyHanko's peak RSS on the same file, one run, for comparison)
#   4. qpdf --check on every output (sanity, not timed)
# Medians from hyperfine (--warmup, --runs, --export-json).  Prints a Markdown table and writes
# it, with date, machine, load and the exact commands, into docs/benchmarks.md between the
# markers <!-- bench:begin --> and <!-- bench:end --> (text outside the markers is kept).
#
# TESTBED_DIR: a test bed from tests/fixtures/make-testbed.sh with --big; default
# target/bench-testbed (built with --big if missing).
#
# Environment knobs:
#   RUNS=10 WARMUP=2     hyperfine runs per command (RUNS >= 10 recommended)
#   RSS_RUNS=3           /usr/bin/time -v runs of kyso on the big file (max is reported)
#   WAIT_IDLE=600        seconds to wait for `pgrep -c rustc` to reach 0 before measuring
#   KYSO_BIN=path        benchmark this binary instead of building one
#   BENCH_REV=rev        build this git revision (e.g. HEAD) from a clean `git archive` export in
#                        target/bench-src with CARGO_TARGET_DIR=target/bench-target, instead of the
#                        work tree (useful while others' uncommitted edits do not compile)
#   BENCH_DOC=path|none  where to write the results (default docs/benchmarks.md)
#   BENCH_OUT=dir        where JSON and logs go (default target/bench-results/<timestamp>)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${RUNS:-10}"
WARMUP="${WARMUP:-2}"
RSS_RUNS="${RSS_RUNS:-3}"
WAIT_IDLE="${WAIT_IDLE:-600}"
DOC="${BENCH_DOC:-$ROOT/docs/benchmarks.md}"
STAMP="$(date +%Y%m%d-%H%M%S)"
OUTD="${BENCH_OUT:-$ROOT/target/bench-results/$STAMP}"

die() { echo "bench-sign: $*" >&2; exit 1; }
say() { echo "bench-sign: $*" >&2; }
[[ $# -le 1 ]] || die "usage: $0 [TESTBED_DIR]"
[[ "${1:-}" != -* ]] || { echo "usage: $0 [TESTBED_DIR]" >&2; exit 2; }

# ------------------------------------------------------------------ tools
# shellcheck source=scripts/bench-lib.sh
. "$ROOT/scripts/bench-lib.sh"
command -v hyperfine >/dev/null || apt_install hyperfine
[[ -x /usr/bin/time ]] || apt_install time
for t in qpdf sha256sum openssl python3 pyhanko; do
  command -v "$t" >/dev/null || die "missing '$t' (run scripts/setup-test-deps.sh)"
done

# ------------------------------------------------------------------ test bed
TB="${1:-$ROOT/target/bench-testbed}"
if [[ ! -f "$TB/testbed.env" || ! -s "$TB/drafts/big-300p.pdf" ]]; then
  say "building test bed in $TB (--big; ~1 min)"
  "$ROOT/tests/fixtures/make-testbed.sh" "$TB" --big
fi
TB="$(cd "$TB" && pwd)"
# shellcheck disable=SC1091
. "$TB/testbed.env"
LO="$KYSO_TEST_DRAFTS/draft-lo.pdf"
BIG="$KYSO_TEST_DRAFTS/big-300p.pdf"
PYCFG="$TB/pyhanko.yml"
for f in "$LO" "$BIG" "$PYCFG"; do [[ -s "$f" ]] || die "missing $f"; done
# the pyHanko set-up whose key is CKA_ID 01 (kyso-01 in make-testbed.sh's pyhanko.yml)
SETUP="$(awk '/^  [^ #][^:]*:[[:space:]]*$/ { s = $1; sub(/:$/, "", s) }
              /^[[:space:]]+key-id:[[:space:]]*.?01.?[[:space:]]*$/ { print s; exit }' "$PYCFG")"
[[ -n "$SETUP" ]] || die "no pkcs11-setup with key-id 01 in $PYCFG"

# ------------------------------------------------------------------ binary
bench_binary bench-src

export KYSO_PIN="$KYSO_TEST_PIN"
MOD="$KYSO_TEST_MODULE"
TOK="$KYSO_TEST_TOKEN"

# ------------------------------------------------------------------ wait for an idle machine
bench_wait_idle

HF=(hyperfine -N --style basic --warmup "$WARMUP" --runs "$RUNS")

# ------------------------------------------------------------------ 1. small file
O_K="$W/lo-kyso.pdf"; O_P="$W/lo-pyhanko.pdf"
K1=("$KYSO" sign "$LO" -o "$O_K" --module "$MOD" --token "$TOK" --cert 01)
P1=(pyhanko --config "$PYCFG" sign addsig --field Sig1 --use-pades pkcs11 --p11-setup "$SETUP" "$LO" "$O_P")
CMD_K1="$(q "${K1[@]}")"; CMD_P1="$(q "${P1[@]}")"
say "1/4 draft-lo.pdf: kyso vs pyHanko"
"${HF[@]}" --export-json "$OUTD/small.json" \
  -p "rm -f $(q "$O_K")" -n "kyso sign" "$CMD_K1" \
  -p "rm -f $(q "$O_P")" -n "pyhanko addsig" "$CMD_P1" >"$OUTD/small.txt"
cat "$OUTD/small.txt" >&2

# ------------------------------------------------------------------ 2. big file
O_KB="$W/big-kyso.pdf"; O_PB="$W/big-pyhanko.pdf"
K2=("$KYSO" sign "$BIG" -o "$O_KB" --module "$MOD" --token "$TOK" --cert 01)
P2=(pyhanko --config "$PYCFG" sign addsig --field Sig1 --use-pades pkcs11 --p11-setup "$SETUP" "$BIG" "$O_PB")
CMD_K2="$(q "${K2[@]}")"; CMD_P2="$(q "${P2[@]}")"
CMD_S2="$(q sha256sum "$BIG")"
CMD_O2="$(q openssl dgst -sha256 "$BIG")"
BIG_BYTES="$(stat -c %s "$BIG")"
BIG_PAGES="$(pdfinfo "$BIG" 2>/dev/null | awk '/^Pages:/ {print $2}' || true)"
say "2/4 big-300p.pdf: kyso vs sha256sum (and openssl dgst)"
"${HF[@]}" --export-json "$OUTD/big.json" \
  -p "rm -f $(q "$O_KB")" -n "kyso sign" "$CMD_K2" \
  -p "true" -n "sha256sum" "$CMD_S2" \
  -p "true" -n "openssl dgst -sha256" "$CMD_O2" >"$OUTD/big.txt"
cat "$OUTD/big.txt" >&2

# ------------------------------------------------------------------ 3. peak RSS
say "3/4 peak RSS on big-300p.pdf"
for i in $(seq 1 "$RSS_RUNS"); do
  rm -f "$O_KB"
  /usr/bin/time -v -o "$OUTD/rss-kyso-$i.txt" "${K2[@]}" >/dev/null 2>&1 || die "kyso sign failed (rss run $i)"
done
rm -f "$O_PB"
/usr/bin/time -v -o "$OUTD/rss-pyhanko.txt" "${P2[@]}" >/dev/null 2>"$OUTD/pyhanko-big.err" || say "pyHanko on the big file failed (see $OUTD/pyhanko-big.err)"

kill "$SAMPLER" 2>/dev/null || true
RUSTC1="$(pgrep -c rustc || true)"
LOAD1="$(cut -d' ' -f1-3 /proc/loadavg)"

# ------------------------------------------------------------------ 4. sanity
say "4/4 qpdf --check"
QPDF_OK=0; QPDF_N=0; BAD=()
for f in "$O_K" "$O_P" "$O_KB" "$O_PB"; do
  [[ -e "$f" ]] || { BAD+=("$(basename "$f"):missing"); QPDF_N=$((QPDF_N + 1)); continue; }
  QPDF_N=$((QPDF_N + 1))
  if out="$(qpdf --check "$f" 2>&1)" && ! grep -q WARNING <<<"$out"; then
    QPDF_OK=$((QPDF_OK + 1))
  else
    BAD+=("$(basename "$f")")
  fi
done

# ------------------------------------------------------------------ report
CPU="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
NPROC="$(nproc)"
SHA_NI="no"; grep -qw sha_ni /proc/cpuinfo && SHA_NI="yes"
MEM_MB="$(awk '/MemTotal/ {printf "%d", $2/1024}' /proc/meminfo)"
export OUTD RUNS WARMUP RSS_RUNS BIG_BYTES BIG_PAGES QPDF_OK QPDF_N SAMPLES
export QPDF_BAD="${BAD[*]:-}"
TABLE="$(python3 - <<'PY'
import json, os, re, glob
o = os.environ["OUTD"]
def res(f):
    return {r["command"]: r for r in json.load(open(f"{o}/{f}"))["results"]}
def ms(r):
    return f'{r["median"]*1e3:.1f} ms (σ {r["stddev"]*1e3:.1f})'
def rss(f):
    t = open(f).read()
    kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
    el = re.search(r"Elapsed \(wall clock\) time.*: (\S+)", t).group(1)
    return kb, el
pv = lambda ok: "PASS" if ok else "MISS"
s, b = res("small.json"), res("big.json")
k1, p1 = s["kyso sign"], s["pyhanko addsig"]
k2, h2, o2 = b["kyso sign"], b["sha256sum"], b["openssl dgst -sha256"]
r1 = p1["median"] / k1["median"]
r2 = k2["median"] / h2["median"]
r2o = k2["median"] / o2["median"]
kr = [rss(f) for f in sorted(glob.glob(f"{o}/rss-kyso-*.txt"))]
kmax = max(k for k, _ in kr)
try:
    pk, pel = rss(f"{o}/rss-pyhanko.txt"); prss = f"{pk/1024:.0f} MiB (wall {pel})"
except Exception:
    prss = "failed"
mb = int(os.environ["BIG_BYTES"]) / 1e6
pages = os.environ.get("BIG_PAGES") or "?"
qok, qn = int(os.environ["QPDF_OK"]), int(os.environ["QPDF_N"])
bad = os.environ.get("QPDF_BAD", "")
rows = [
 ("1", "kyso sign, draft-lo.pdf (2 pages), median", ms(k1), "", ""),
 ("1", "pyHanko addsig PKCS#11, same file, median", ms(p1), "", ""),
 ("1", "**ratio pyHanko / kyso**", f"**{r1:.1f}×**", "≥ 10×", pv(r1 >= 10)),
 ("2", f"kyso sign, big-300p.pdf ({mb:.1f} MB, {pages} pages), median", ms(k2), "", ""),
 ("2", "sha256sum, same file, median", ms(h2), "", ""),
 ("2", "**ratio kyso / sha256sum**", f"**{r2:.2f}×**", "≤ 2×", pv(r2 <= 2)),
 ("2", "(reference) openssl dgst -sha256, median; ratio kyso / openssl", f"{ms(o2)}; {r2o:.2f}×", "—", "info"),
 ("3", f"**kyso peak RSS**, big-300p.pdf (max of {len(kr)} run{'s' if len(kr) > 1 else ''})", f"**{kmax/1024:.1f} MiB**", "< 64 MiB", pv(kmax < 64*1024)),
 ("3", "pyHanko peak RSS, big-300p.pdf (1 run)", prss, "—", "info"),
 ("4", "qpdf --check on the 4 outputs", f"{qok}/{qn} clean" + (f" (bad: {bad})" if bad else ""), "all clean", pv(qok == qn)),
]
print("| # | measurement | result | target | verdict |")
print("| --- | --- | --- | --- | --- |")
for r in rows:
    print("| " + " | ".join(r) + " |")
PY
)"
# load during the run, from the samples
LOADNOTE="$(awk -v r0="$RUSTC0" -v r1="$RUSTC1" -v l0="$LOAD0" -v l1="$LOAD1" '
  { n++; if ($2 > mr) mr = $2; if ($3 > ml) ml = $3; if ($2 > 0) busy++ }
  END {
    printf "rustc processes at start %d, at end %d, max while measuring %d (in %d of %d 2-s samples); ", r0, r1, mr, busy, n
    printf "loadavg (1/5/15 min) at start %s, at end %s, max 1-min while measuring %.2f", l0, l1, ml
  }' "$SAMPLES")"
LOADNOTE="$LOADNOTE; processes at >= 5 % CPU at start: ${TOPCPU:-none}"
(( RUSTC0 > 0 )) && LOADNOTE="$LOADNOTE. NOT idle: waited ${waited}s for rustc, gave up"

REPORT="$(cat <<EOF
## Latest run: $(date '+%Y-%m-%d %H:%M %Z')

- machine: $NPROC cores ($(nproc --all) online), \`$CPU\` (SHA-NI: $SHA_NI), ${MEM_MB} MiB RAM, $(uname -sr)
- load: $LOADNOTE
- kyso: \`$KYSO_VER\`, git $REV, \`cargo build --release -p kyso --bin kyso\`
- tools: $(hyperfine --version), pyHanko $(pyhanko --version 2>/dev/null | sed 's/^pyHanko, version //'), $(sha256sum --version | head -1), $(openssl version | cut -d' ' -f1-2), $(qpdf --version | head -1), SoftHSM2 $(softhsm2-util --version 2>/dev/null || echo '?')
- test bed: \`$TB\` (tests/fixtures/make-testbed.sh --big); token $TOK, key/cert CKA_ID 01 (RSA-2048), pyHanko set-up \`$SETUP\`; page cache warm (warm-up runs), outputs on the same disk
- hyperfine: \`-N --warmup $WARMUP --runs $RUNS\`, each timed run writes a fresh output (\`--prepare 'rm -f OUT'\`); JSON in \`${OUTD#"$ROOT"/}\`; commands run in \`$OUTD/work\`, where \`kyso\` is a copy of the release binary

$TABLE

Commands (PIN from \`KYSO_PIN\`, \`SOFTHSM2_CONF=$SOFTHSM2_CONF\`):

\`\`\`sh
${HF[*]} --export-json small.json \\
  -p 'rm -f lo-kyso.pdf' -n 'kyso sign' '$CMD_K1' \\
  -p 'rm -f lo-pyhanko.pdf' -n 'pyhanko addsig' '$CMD_P1'
${HF[*]} --export-json big.json \\
  -p 'rm -f big-kyso.pdf' -n 'kyso sign' '$CMD_K2' \\
  -p true -n sha256sum '$CMD_S2' -p true -n 'openssl dgst -sha256' '$CMD_O2'
/usr/bin/time -v $CMD_K2          # x$RSS_RUNS, max "Maximum resident set size"
/usr/bin/time -v $CMD_P2
qpdf --check OUT.pdf              # each of the 4 outputs
\`\`\`
EOF
)"
# shorten the long absolute paths in the doc
REPORT="${REPORT//$W\//}"

echo
echo "$REPORT"

if [[ "$DOC" != none ]]; then
  mkdir -p "$(dirname "$DOC")"
  if [[ ! -f "$DOC" ]]; then
    # shellcheck disable=SC2016
    printf '# Benchmarks\n\nMade by `scripts/bench-sign.sh [TESTBED_DIR]`; the block between the markers is rewritten on each run.\n\n<!-- bench:begin -->\n<!-- bench:end -->\n' >"$DOC"
  fi
  grep -q '<!-- bench:begin -->' "$DOC" || printf '\n<!-- bench:begin -->\n<!-- bench:end -->\n' >>"$DOC"
  REPORT="$REPORT" python3 - "$DOC" <<'PY'
import os, re, sys
p = sys.argv[1]
t = open(p, encoding="utf-8").read()
new = "<!-- bench:begin -->\n" + os.environ["REPORT"].strip() + "\n<!-- bench:end -->"
t = re.sub(r"<!-- bench:begin -->.*?<!-- bench:end -->", lambda m: new, t, count=1, flags=re.S)
open(p, "w", encoding="utf-8").write(t)
PY
  say "wrote $DOC"
fi
# the big outputs are 2 x 55 MB; keep the JSON, logs and small outputs
rm -f "$O_KB" "$O_PB"
