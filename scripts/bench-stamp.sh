#!/usr/bin/env bash
# scripts/bench-stamp.sh [TESTBED_DIR]
#
# Whole-process benchmark of VISIBLE signing (a stamp image) on drafts/draft-lo.pdf (2 pages),
# one SoftHSM2 token (KYSO-TEST, key/cert CKA_ID 01), the same files:
#   1. kyso sign (invisible: no --image) vs kyso sign --image signature.png (placed between the
#      title and the name on page 2, found from the page text)
#                                    target: median(visible) - median(invisible) <= 15 ms
#      Stage rows (information): kyso sign --invisible (no template, no page-text search) and
#      kyso sign --image --at 120,230 --page 2 (given position: image embedding without the search)
#   2. pyHanko addsig with a visible stamp in a field box on page 2 (a text stamp whose background is
#      the same signature.png, via a `stamp-styles:` entry added to a copy of pyhanko.yml; pyHanko's
#      default text stamp if that style does not work)
#                                    target: median(pyHanko) / median(kyso visible) >= 10x
#   3. qpdf --check on every output, and the visible outputs must carry an image XObject (not timed)
# Medians from hyperfine (-N --warmup, --runs, --export-json), each timed run writes a fresh output
# (--prepare 'rm -f OUT').  Prints a Markdown table and writes it, with date, machine, load and the
# exact commands, into docs/benchmarks.md between <!-- bench-stamp:begin --> and
# <!-- bench-stamp:end --> (under "# Benchmarks: visible stamps"; text outside is kept).
#
# TESTBED_DIR: a test bed from tests/fixtures/make-testbed.sh (--big not needed); default
# target/bench-testbed (built if missing).
#
# Environment knobs (as scripts/bench-sign.sh):
#   RUNS=10 WARMUP=2     hyperfine runs per command
#   WAIT_IDLE=600        seconds to wait for `pgrep -c rustc` to reach 0 before measuring
#   KYSO_BIN=path        benchmark this binary instead of building one
#   BENCH_REV=rev        build this git revision from a clean `git archive` export (target/bench-src,
#                        CARGO_TARGET_DIR=target/bench-target) instead of the work tree
#   BENCH_DOC=path|none  where to write the results (default docs/benchmarks.md)
#   BENCH_OUT=dir        where JSON and logs go (default target/bench-results/stamp-<timestamp>)
#   STRACE=auto|1|0      syscall summary (strace -c -f, 1 run per kyso variant): auto = only when
#                        the visible overhead misses the target
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${RUNS:-10}"
WARMUP="${WARMUP:-2}"
WAIT_IDLE="${WAIT_IDLE:-600}"
STRACE="${STRACE:-auto}"
DOC="${BENCH_DOC:-$ROOT/docs/benchmarks.md}"
STAMP="$(date +%Y%m%d-%H%M%S)"
OUTD="${BENCH_OUT:-$ROOT/target/bench-results/stamp-$STAMP}"
AT="120,230"; AT_PAGE=2                       # mm from the top-left corner of page 2
PYFIELD="2/300,150,450,220/Sig1"              # pyHanko field box on page 2 (pt)

die() { echo "bench-stamp: $*" >&2; exit 1; }
say() { echo "bench-stamp: $*" >&2; }
[[ $# -le 1 ]] || die "usage: $0 [TESTBED_DIR]"
[[ "${1:-}" != -* ]] || { echo "usage: $0 [TESTBED_DIR]" >&2; exit 2; }

# ------------------------------------------------------------------ tools
# shellcheck source=scripts/bench-lib.sh
. "$ROOT/scripts/bench-lib.sh"
command -v hyperfine >/dev/null || apt_install hyperfine
for t in qpdf python3 pyhanko; do
  command -v "$t" >/dev/null || die "missing '$t' (run scripts/setup-test-deps.sh)"
done
python3 -c 'import PIL' 2>/dev/null || die "python3 lacks Pillow (run scripts/setup-test-deps.sh)"

# ------------------------------------------------------------------ test bed
TB="${1:-$ROOT/target/bench-testbed}"
if [[ ! -f "$TB/testbed.env" || ! -s "$TB/drafts/draft-lo.pdf" ]]; then
  say "building test bed in $TB (~10 s)"
  "$ROOT/tests/fixtures/make-testbed.sh" "$TB"
fi
TB="$(cd "$TB" && pwd)"
# shellcheck disable=SC1091
. "$TB/testbed.env"
LO="$KYSO_TEST_DRAFTS/draft-lo.pdf"
PYCFG="$TB/pyhanko.yml"
for f in "$LO" "$PYCFG"; do [[ -s "$f" ]] || die "missing $f"; done
SETUP="$(awk '/^  [^ #][^:]*:[[:space:]]*$/ { s = $1; sub(/:$/, "", s) }
              /^[[:space:]]+key-id:[[:space:]]*.?01.?[[:space:]]*$/ { print s; exit }' "$PYCFG")"
[[ -n "$SETUP" ]] || die "no pkcs11-setup with key-id 01 in $PYCFG"

# ------------------------------------------------------------------ binary
bench_binary bench-src
"$KYSO" sign --help 2>&1 | grep -q -- '--image' || die "$SRC_BIN has no 'sign --image' (stamps not built in)"

export KYSO_PIN="$KYSO_TEST_PIN"
MOD="$KYSO_TEST_MODULE"
TOK="$KYSO_TEST_TOKEN"

# ------------------------------------------------------------------ inputs
python3 "$ROOT/tests/fixtures/stamps/make-images.py" "$W" || die "make-images.py failed"
IMG="$W/signature.png"
[[ -s "$IMG" ]] || die "no $IMG"
IMG_INFO="$(python3 -c 'import sys; from PIL import Image; i = Image.open(sys.argv[1]); print(f"{i.width}x{i.height} {i.mode}")' "$IMG")"

# pyHanko: a copy of the config with an image stamp style (text stamp over signature.png)
PYCFG_S="$W/pyhanko-stamp.yml"
PYSTYLE="kyso-image"
PY_STAMP_DESC="text stamp (signer name + time) over signature.png as background (stamp style \`$PYSTYLE\`)"
cp "$PYCFG" "$PYCFG_S"
if grep -q '^stamp-styles:' "$PYCFG_S"; then
  PYSTYLE=""
else
  cat >>"$PYCFG_S" <<EOF

# added by scripts/bench-stamp.sh: pyHanko's text stamp with the signature image as background
stamp-styles:
  $PYSTYLE:
    type: text
    background: '$IMG'
    background-opacity: 1
    stamp-text: "%(signer)s\n%(ts)s"
EOF
fi

O_I="$W/lo-invisible.pdf"; O_N="$W/lo-no-template.pdf"; O_V="$W/lo-visible.pdf"; O_A="$W/lo-visible-at.pdf"
O_P="$W/lo-pyhanko-stamp.pdf"
KBASE=(--module "$MOD" --token "$TOK" --cert 01)
K_I=("$KYSO" sign "$LO" -o "$O_I" "${KBASE[@]}")
K_N=("$KYSO" sign "$LO" -o "$O_N" "${KBASE[@]}" --invisible)
K_V=("$KYSO" sign "$LO" -o "$O_V" "${KBASE[@]}" --image "$IMG")
K_A=("$KYSO" sign "$LO" -o "$O_A" "${KBASE[@]}" --image "$IMG" --at "$AT" --page "$AT_PAGE")
pystyle_args() { [[ -n "$PYSTYLE" ]] && printf '%s\n' --style-name "$PYSTYLE"; true; }
mapfile -t PYS < <(pystyle_args)
P_V=(pyhanko --config "$PYCFG_S" sign addsig --field "$PYFIELD" "${PYS[@]}" --use-pades pkcs11 --p11-setup "$SETUP" "$LO" "$O_P")

# one untimed run of each, so a failure stops here with its message (and shows the placement)
check_once() {  # check_once NAME: one untimed run of the array NAME (output is word 4)
  local -n arr="$1"
  rm -f "${arr[4]}"
  "${arr[@]}" --json >"$OUTD/check-$1.json" 2>"$OUTD/check-$1.err" \
    || { cat "$OUTD/check-$1.err" >&2; die "kyso sign failed: $(q "${arr[@]}")"; }
}
for c in K_I K_N K_V K_A; do check_once "$c"; done
stamp_info() {  # stamp_info JSON: "placement page box" from `kyso sign --json`
  python3 - "$1" <<'PY' 2>/dev/null || echo "? ? ?"
import json, sys
s = json.load(open(sys.argv[1])).get("stamp") or {}
b = s.get("boxMm")
print(s.get("placement", "?"), s.get("page", "?"), ",".join(f"{x:g}" for x in b) if b else "-")
PY
}
read -r PLACE_V PAGE_V BOX_V < <(stamp_info "$OUTD/check-K_V.json")
read -r PLACE_A PAGE_A BOX_A < <(stamp_info "$OUTD/check-K_A.json")
read -r PLACE_I _ _ < <(stamp_info "$OUTD/check-K_I.json")
[[ "$PLACE_V" == found ]] || say "WARNING: kyso sign --image placed the stamp '$PLACE_V', not 'found' from the page text"
rm -f "$O_P"
if ! "${P_V[@]}" >"$OUTD/check-pyhanko.out" 2>"$OUTD/check-pyhanko.err"; then
  if [[ -n "$PYSTYLE" ]]; then
    say "pyHanko with the image stamp style failed ($(tail -n 1 "$OUTD/check-pyhanko.err")); using its default text stamp"
    PYSTYLE=""; PY_STAMP_DESC="pyHanko's default text stamp (the image stamp style failed: see check-pyhanko.err)"
    mapfile -t PYS < <(pystyle_args)
    P_V=(pyhanko --config "$PYCFG_S" sign addsig --field "$PYFIELD" --use-pades pkcs11 --p11-setup "$SETUP" "$LO" "$O_P")
    rm -f "$O_P"
    "${P_V[@]}" >"$OUTD/check-pyhanko.out" 2>"$OUTD/check-pyhanko.err" \
      || { cat "$OUTD/check-pyhanko.err" >&2; die "pyHanko failed"; }
  else
    cat "$OUTD/check-pyhanko.err" >&2; die "pyHanko failed"
  fi
fi
if [[ -z "$PYSTYLE" && "$PY_STAMP_DESC" == text\ stamp* ]]; then
  PY_STAMP_DESC="pyHanko's default text stamp (the config already had stamp-styles:)"
fi

# ------------------------------------------------------------------ wait for an idle machine
bench_wait_idle

HF=(hyperfine -N --style basic --warmup "$WARMUP" --runs "$RUNS")
CMD_I="$(q "${K_I[@]}")"; CMD_N="$(q "${K_N[@]}")"; CMD_V="$(q "${K_V[@]}")"; CMD_A="$(q "${K_A[@]}")"
CMD_P="$(q "${P_V[@]}")"

# ------------------------------------------------------------------ 1. kyso invisible vs visible
say "1/3 draft-lo.pdf: kyso invisible vs visible (+ stage variants)"
"${HF[@]}" --export-json "$OUTD/kyso.json" \
  -p "rm -f $(q "$O_I")" -n "invisible" "$CMD_I" \
  -p "rm -f $(q "$O_V")" -n "visible" "$CMD_V" \
  -p "rm -f $(q "$O_N")" -n "no-template" "$CMD_N" \
  -p "rm -f $(q "$O_A")" -n "visible --at" "$CMD_A" >"$OUTD/kyso.txt"
cat "$OUTD/kyso.txt" >&2

# ------------------------------------------------------------------ 2. pyHanko with a stamp
say "2/3 draft-lo.pdf: pyHanko addsig with a visible stamp"
"${HF[@]}" --export-json "$OUTD/pyhanko.json" \
  -p "rm -f $(q "$O_P")" -n "pyhanko visible" "$CMD_P" >"$OUTD/pyhanko.txt"
cat "$OUTD/pyhanko.txt" >&2

kill "$SAMPLER" 2>/dev/null || true
RUSTC1="$(pgrep -c rustc || true)"
LOAD1="$(cut -d' ' -f1-3 /proc/loadavg)"

# ------------------------------------------------------------------ stage detail on a MISS
DIFF_MS="$(python3 -c '
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
print("%.3f" % ((r["visible"]["median"] - r["invisible"]["median"]) * 1e3))' "$OUTD/kyso.json")"
MISS=0; python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) <= 15 else 1)' "$DIFF_MS" || MISS=1
STRACE_NOTE=""
if [[ "$STRACE" == 1 || ( "$STRACE" == auto && $MISS == 1 ) ]]; then
  if command -v strace >/dev/null; then
    say "strace -c -f: one run of each kyso variant"
    strace_once() {
      local -n arr="$1"
      rm -f "${arr[4]}"
      strace -c -w -f -o "$OUTD/strace-$1.txt" "${arr[@]}" >/dev/null 2>&1 || true
    }
    for c in K_I K_N K_V K_A; do strace_once "$c"; done
    STRACE_NOTE="$(for c in K_I K_N K_V K_A; do
      awk -v n="$c" '$NF == "total" { printf "%s: %s syscalls, %s s wall in syscalls; ", n, $4, $2 }' "$OUTD/strace-$c.txt"
    done) (K_I invisible, K_N --invisible, K_V visible, K_A visible --at)"
  else
    STRACE_NOTE="(strace not installed)"
  fi
fi

# ------------------------------------------------------------------ 3. sanity
say "3/3 qpdf --check; image XObject in the visible outputs"
QPDF_OK=0; QPDF_N=0; BAD=()
for f in "$O_I" "$O_N" "$O_V" "$O_A" "$O_P"; do
  QPDF_N=$((QPDF_N + 1))
  [[ -e "$f" ]] || { BAD+=("$(basename "$f"):missing"); continue; }
  if out="$(qpdf --check "$f" 2>&1)" && ! grep -q WARNING <<<"$out"; then
    QPDF_OK=$((QPDF_OK + 1))
  else
    BAD+=("$(basename "$f")")
  fi
done
img_count() {  # image XObjects in a file (qpdf's QDF form writes "/Subtype /Image" per image)
  qpdf --qdf --object-streams=disable "$1" - 2>/dev/null | grep -ac '/Subtype /Image' || true
}
IMG_0="$(img_count "$LO")"
IMG_V=$(( $(img_count "$O_V") - IMG_0 )); IMG_A=$(( $(img_count "$O_A") - IMG_0 ))
IMG_I=$(( $(img_count "$O_I") - IMG_0 )); IMG_P=$(( $(img_count "$O_P") - IMG_0 ))

# ------------------------------------------------------------------ report
CPU="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
NPROC="$(nproc)"
MEM_MB="$(awk '/MemTotal/ {printf "%d", $2/1024}' /proc/meminfo)"
export OUTD QPDF_OK QPDF_N IMG_V IMG_A IMG_I IMG_P AT AT_PAGE PLACE_V PLACE_A PLACE_I
export QPDF_BAD="${BAD[*]:-}"
TABLE="$(python3 - <<'PY'
import json, os
o = os.environ["OUTD"]
def res(f):
    return {r["command"]: r for r in json.load(open(f"{o}/{f}"))["results"]}
def ms(r):
    return f'{r["median"]*1e3:.1f} ms (σ {r["stddev"]*1e3:.1f}; user+sys {(r["user"]+r["system"])*1e3:.1f})'
pv = lambda ok: "PASS" if ok else "MISS"
k, p = res("kyso.json"), res("pyhanko.json")
i, v, n, a = k["invisible"], k["visible"], k["no-template"], k["visible --at"]
pp = p["pyhanko visible"]
d = (v["median"] - i["median"]) * 1e3
cpu = lambda r: (r["user"] + r["system"]) * 1e3
r = pp["median"] / v["median"]
at, pg = os.environ["AT"], os.environ["AT_PAGE"]
iv, ia, ii, ip = (os.environ[x] for x in ("IMG_V", "IMG_A", "IMG_I", "IMG_P"))
qok, qn = int(os.environ["QPDF_OK"]), int(os.environ["QPDF_N"])
bad = os.environ.get("QPDF_BAD", "")
rows = [
 ("1", "kyso sign, draft-lo.pdf (2 pages), invisible, median", ms(i), "", ""),
 ("1", "kyso sign --image signature.png (block found from page 2's text), median", ms(v), "", ""),
 ("1", "**visible − invisible** (difference of medians; of mean user+sys CPU)", f"**{d:+.1f} ms** (CPU {cpu(v)-cpu(i):+.1f} ms)", "≤ 15 ms", pv(d <= 15)),
 ("1", "(stage) kyso sign --invisible (no template, no page-text search), median", ms(n), "—", "info"),
 ("1", f"(stage) kyso sign --image --at {at} --page {pg} (given position, no search), median", ms(a), "—", "info"),
 ("1", "(stage) image embedding: --at − --invisible; page-text search: visible − --at",
  f'{(a["median"]-n["median"])*1e3:+.1f} ms; {(v["median"]-a["median"])*1e3:+.1f} ms', "—", "info"),
 ("2", "pyHanko addsig PKCS#11 with a visible stamp, same file, median", ms(pp), "", ""),
 ("2", "**ratio pyHanko visible / kyso visible**", f"**{r:.1f}×**", "≥ 10×", pv(r >= 10)),
 ("3", "qpdf --check on the 5 outputs", f"{qok}/{qn} clean" + (f" (bad: {bad})" if bad else ""), "all clean", pv(qok == qn)),
 ("3", "kyso stamp placement (sign --json): visible / --at / invisible",
  " / ".join(os.environ[x] for x in ("PLACE_V", "PLACE_A", "PLACE_I")), "found / given / invisible",
  pv((os.environ["PLACE_V"], os.environ["PLACE_A"], os.environ["PLACE_I"]) == ("found", "given", "invisible"))),
 ("3", "image XObjects added: kyso visible / --at / invisible / pyHanko", f"{iv} / {ia} / {ii} / {ip}", "≥1 / ≥1 / 0 / —",
  pv(int(iv) > 0 and int(ia) > 0 and int(ii) == 0)),
]
print("| # | measurement | result | target | verdict |")
print("| --- | --- | --- | --- | --- |")
for row in rows:
    print("| " + " | ".join(row) + " |")
PY
)"
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

- machine: $NPROC cores ($(nproc --all) online), \`$CPU\`, ${MEM_MB} MiB RAM, $(uname -sr)
- load: $LOADNOTE
- kyso: \`$KYSO_VER\`, git $REV$( [[ -z "${KYSO_BIN:-}" ]] && echo ", \`cargo build --release -p kyso --bin kyso\`")
- tools: $(hyperfine --version), pyHanko $(pyhanko --version 2>/dev/null | sed 's/^pyHanko, version //'), $(qpdf --version | head -1), SoftHSM2 $(softhsm2-util --version 2>/dev/null || echo '?')
- test bed: \`$TB\`; token $TOK, key/cert CKA_ID 01 (RSA-2048), pyHanko set-up \`$SETUP\`; image \`signature.png\` from tests/fixtures/stamps/make-images.py ($IMG_INFO); kyso placement (\`sign --json\` .stamp): visible \`$PLACE_V\` page $PAGE_V box x,y,w,h mm $BOX_V; --at \`$PLACE_A\` page $PAGE_A box $BOX_A; invisible \`$PLACE_I\`
- pyHanko stamp: $PY_STAMP_DESC, field \`$PYFIELD\`
- hyperfine: \`-N --warmup $WARMUP --runs $RUNS\`, each timed run writes a fresh output (\`--prepare 'rm -f OUT'\`); "user+sys" is hyperfine's mean CPU time; JSON in \`${OUTD#"$ROOT"/}\`; commands run in \`$OUTD/work\`, where \`kyso\` is a copy of the release binary
$( [[ -n "$STRACE_NOTE" ]] && echo "- strace -c -w -f (wall time in syscalls, 1 run each; files strace-*.txt): $STRACE_NOTE" )

$TABLE

Commands (PIN from \`KYSO_PIN\`, \`SOFTHSM2_CONF=$SOFTHSM2_CONF\`):

\`\`\`sh
${HF[*]} --export-json kyso.json \\
  -p 'rm -f lo-invisible.pdf' -n invisible '$CMD_I' \\
  -p 'rm -f lo-visible.pdf' -n visible '$CMD_V' \\
  -p 'rm -f lo-no-template.pdf' -n no-template '$CMD_N' \\
  -p 'rm -f lo-visible-at.pdf' -n 'visible --at' '$CMD_A'
${HF[*]} --export-json pyhanko.json -p 'rm -f lo-pyhanko-stamp.pdf' '$CMD_P'
qpdf --check OUT.pdf              # each of the 5 outputs
\`\`\`
EOF
)"
REPORT="${REPORT//$W\//}"

echo
echo "$REPORT"

if [[ "$DOC" != none ]]; then
  mkdir -p "$(dirname "$DOC")"
  [[ -f "$DOC" ]] || : >"$DOC"
  if ! grep -q '<!-- bench-stamp:begin -->' "$DOC"; then
    # shellcheck disable=SC2016
    printf '\n# Benchmarks: visible stamps\n\nMade by `scripts/bench-stamp.sh [TESTBED_DIR]` (same test bed, build and idle-wait as the\nsigning benchmark above). The block between the markers below is rewritten on every run.\n\nTargets (whole process, `draft-lo.pdf`, 2 pages):\n\n| # | what | target |\n| --- | --- | --- |\n| 1 | `kyso sign --image signature.png` (block found from the page text) vs `kyso sign` (invisible): difference of medians | ≤ 15 ms |\n| 2 | pyHanko `addsig` with a visible stamp vs `kyso sign --image` | pyHanko / kyso ≥ 10× |\n\n<!-- bench-stamp:begin -->\n<!-- bench-stamp:end -->\n' >>"$DOC"
  fi
  REPORT="$REPORT" python3 - "$DOC" <<'PY'
import os, re, sys
p = sys.argv[1]
t = open(p, encoding="utf-8").read()
new = "<!-- bench-stamp:begin -->\n" + os.environ["REPORT"].strip() + "\n<!-- bench-stamp:end -->"
t = re.sub(r"<!-- bench-stamp:begin -->.*?<!-- bench-stamp:end -->", lambda m: new, t, count=1, flags=re.S)
open(p, "w", encoding="utf-8").write(t)
PY
  say "wrote $DOC"
fi
