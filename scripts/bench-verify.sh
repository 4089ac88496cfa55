#!/usr/bin/env bash
# scripts/bench-verify.sh [TESTBED_DIR]
#
# Whole-process benchmarks of `kyso verify` on one machine and the same signed files.  The inputs
# are signed by kyso itself with a PKCS#12 signer (pki/personal-rsa2048.p12, no token needed):
#   1. kyso verify --offline --trust root.pem --crl … vs pdfsig -nssdir sql:nssdb vs
#      pyhanko sign validate --trust root.pem --trust-replace --no-revocation-check
#      on drafts/draft-lo.pdf (2 pages) signed once         target: pdfsig/kyso >= 2x
#      and signed twice (two certificates), kyso vs pdfsig  target: kyso <= 5 ms, pdfsig/kyso >= 4x
#      (kyso gets the test PKI's CRLs, so its verdict is VALID with the revocation stage run)
#   2. kyso verify --offline on drafts/big-300p.pdf (~55 MB) signed once vs sha256sum of it
#                                                            target: kyso/sha256sum <= 2x
#      peak RSS of kyso verify on it (/usr/bin/time -v)      target: < 64 MiB
#      (pdfsig on the same file and openssl dgst -sha256: information only)
#   3. a folder of N_DOCS (1000) signed copies of drafts/draft-director.pdf (1 page):
#      kyso verify --offline --trust root.pem DIR (all cores; CPU% from /usr/bin/time -v,
#      target > 150 % on 2 cores) vs a sequential shell loop of pdfsig over the same files
#      (and, information only, the same pdfsig calls 2-way parallel with xargs -P 2); documents/s
# Before timing, every tool's verdict is checked on every input (kyso: exit code and --json
# indication for each file; pdfsig: "Signature is Valid." + "Certificate is Trusted."; pyHanko:
# "judged VALID"), so an error path is never what gets measured.
# Medians from hyperfine (-N, --export-json).  Prints a Markdown table and writes it, with date,
# machine, load and the exact commands, into docs/benchmarks.md between the markers
# <!-- bench-verify:begin --> and <!-- bench-verify:end --> (the section "# Benchmarks: kyso
# verify" is appended if missing; text outside the markers, including the signing part, is kept).
#
# TESTBED_DIR: a test bed from tests/fixtures/make-testbed.sh with --big; default
# target/bench-testbed (built with --big if missing).
#
# Environment knobs:
#   RUNS=10 WARMUP=2     hyperfine runs per command (RUNS >= 10 recommended)
#   PY_RUNS=5            hyperfine runs for pyHanko (Python start-up makes it slow)
#   DIR_RUNS=$RUNS       hyperfine runs of kyso verify on the folder (warm-up 1)
#   N_DOCS=1000          documents in the folder
#   RSS_RUNS=3           /usr/bin/time -v runs of kyso on the big file (max is reported)
#   WAIT_IDLE=600        seconds to wait for `pgrep -c rustc` to reach 0 before measuring
#   KYSO_BIN=path        benchmark this binary instead of building one
#   BENCH_REV=rev        build this git revision from a clean `git archive` export in
#                        target/bench-verify-src with CARGO_TARGET_DIR=target/bench-target
#   BENCH_DOC=path|none  where to write the results (default docs/benchmarks.md)
#   BENCH_OUT=dir        where JSON, logs and signed inputs go (default
#                        target/bench-results/verify-<timestamp>)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${RUNS:-10}"
WARMUP="${WARMUP:-2}"
PY_RUNS="${PY_RUNS:-5}"
DIR_RUNS="${DIR_RUNS:-$RUNS}"
N_DOCS="${N_DOCS:-1000}"
RSS_RUNS="${RSS_RUNS:-3}"
WAIT_IDLE="${WAIT_IDLE:-600}"
waited=0
DOC="${BENCH_DOC:-$ROOT/docs/benchmarks.md}"
STAMP="$(date +%Y%m%d-%H%M%S)"
OUTD="${BENCH_OUT:-$ROOT/target/bench-results/verify-$STAMP}"

die() { echo "bench-verify: $*" >&2; exit 1; }
say() { echo "bench-verify: $*" >&2; }
[[ $# -le 1 ]] || die "usage: $0 [TESTBED_DIR]"
[[ "${1:-}" != -* ]] || { echo "usage: $0 [TESTBED_DIR]" >&2; exit 2; }

# ------------------------------------------------------------------ tools
# shellcheck source=scripts/bench-lib.sh
. "$ROOT/scripts/bench-lib.sh"
command -v hyperfine >/dev/null || apt_install hyperfine
[[ -x /usr/bin/time ]] || apt_install time
for t in pdfsig sha256sum openssl python3 pyhanko xargs; do
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
ONE="$KYSO_TEST_DRAFTS/draft-director.pdf"
BIG="$KYSO_TEST_DRAFTS/big-300p.pdf"
P12="$TB/pki/personal-rsa2048.p12"
ROOTPEM="$TB/pki/root.pem"
NSS="$TB/nssdb"
for f in "$LO" "$ONE" "$BIG" "$P12" "$ROOTPEM" "$NSS/cert9.db"; do [[ -s "$f" ]] || die "missing $f"; done
export KYSO_P12_PASSWORD="${KYSO_TEST_P12_PASSWORD:-kyso-test}"

# ------------------------------------------------------------------ binary
bench_binary bench-verify-src
"$KYSO" verify --help >/dev/null 2>&1 || die "$SRC_BIN has no 'verify' subcommand"

# ------------------------------------------------------------------ signed inputs (kyso, PKCS#12)
cd "$W"
S_LO="$W/lo-signed.pdf"; S_LO2="$W/lo-signed-twice.pdf"; S_BIG="$W/big-signed.pdf"; DIR="$W/docs"
say "signing inputs with kyso --pkcs12 (draft-lo once and twice, big-300p, $N_DOCS x draft-director)"
rm -rf "$DIR"; mkdir -p "$DIR"
"$KYSO" sign "$LO" -o "$S_LO" --force --pkcs12 "$P12" >/dev/null || die "kyso sign $LO failed"
"$KYSO" sign "$S_LO" -o "$S_LO2" --force --invisible --pkcs12 "$TB/pki/personal-rsa3072.p12" >/dev/null \
  || die "kyso sign $S_LO (second signature) failed"
CRLD="$W/crl"
bash "$ROOT/tests/fixtures/attacks/make-crls.sh" "$TB" "$CRLD" >/dev/null || die "make-crls.sh failed"
"$KYSO" sign "$BIG" -o "$S_BIG" --force --pkcs12 "$P12" >/dev/null || die "kyso sign $BIG failed"
t0=$(date +%s.%N)
# shellcheck disable=SC2016
seq -f '%04g' 1 "$N_DOCS" | KYSO="$KYSO" ONE="$ONE" P12="$P12" DIR="$DIR" \
  xargs -P 2 -I{} sh -c '"$KYSO" sign "$ONE" -o "$DIR/doc-{}.pdf" --pkcs12 "$P12" --allow-name-mismatch >/dev/null' \
  || die "signing the folder failed"
t1=$(date +%s.%N)
NFILES="$(find "$DIR" -name '*.pdf' | wc -l)"
(( NFILES == N_DOCS )) || die "expected $N_DOCS signed files in $DIR, found $NFILES"
SIGN_DIR_S="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')"
say "signed $N_DOCS documents in ${SIGN_DIR_S}s (2 parallel kyso sign)"

# ------------------------------------------------------------------ verdicts (not timed)
say "checking verdicts (kyso exit code + --json, pdfsig, pyHanko)"
KV=("$KYSO" verify --offline --trust "$ROOTPEM" --crl "$CRLD/inter.crl.pem" --crl "$CRLD/root.crl.pem")
PDFSIG=(pdfsig -nssdir "sql:$NSS")
PYV=(pyhanko sign validate --trust "$ROOTPEM" --trust-replace --no-revocation-check)
kyso_verdict() {  # kyso_verdict NAME ARGS...: "<exit code> <indication>=<count> ..." on stdout
  local name="$1"; shift
  local rc=0
  "${KV[@]}" --json "$@" >"$OUTD/verdict-kyso-$name.json" 2>"$OUTD/verdict-kyso-$name.err" || rc=$?
  python3 - "$OUTD/verdict-kyso-$name.json" "$rc" <<'PY'
import json, sys, collections
try:
    d = json.load(open(sys.argv[1]))
    c = collections.Counter(f.get("indication", "?") for f in d.get("files", []))
    print(sys.argv[2], " ".join(f"{k}={v}" for k, v in sorted(c.items())))
except Exception as e:
    print(sys.argv[2], f"unreadable-json({e.__class__.__name__})")
PY
}
V_LO="$(kyso_verdict lo "$S_LO")"
V_LO2="$(kyso_verdict lo2 "$S_LO2")"
V_BIG="$(kyso_verdict big "$S_BIG")"
V_DIR="$(kyso_verdict dir "$DIR")"
# also without --trust (case 2 is timed that way): the chain then ends at no anchor
V_BIG_NT="$(rc=0; "$KYSO" verify --offline "$S_BIG" >/dev/null 2>&1 || rc=$?; echo "$rc")"
say "kyso: lo '$V_LO', big '$V_BIG' (no --trust: exit $V_BIG_NT), folder '$V_DIR'"
# accepted: exit 0 with all VALID, or exit 2 with all INDETERMINATE (offline: no revocation info)
kyso_ok() { [[ "$1" =~ ^0\ TOTAL_PASSED=[0-9]+$ || "$1" =~ ^2\ INDETERMINATE=[0-9]+$ ]]; }
kyso_ok "$V_LO" || die "kyso verify on $S_LO: unexpected verdict '$V_LO' (see $OUTD/verdict-kyso-lo.*)"
[[ "$V_LO2" == "0 TOTAL_PASSED=1" ]] || die "kyso verify on $S_LO2: unexpected verdict '$V_LO2' (see $OUTD/verdict-kyso-lo2.*)"
kyso_ok "$V_BIG" || die "kyso verify on $S_BIG: unexpected verdict '$V_BIG'"
kyso_ok "$V_DIR" || die "kyso verify on $DIR: unexpected verdict '$V_DIR'"
[[ "$V_DIR" == *"=$N_DOCS" ]] || die "kyso verify on $DIR did not report $N_DOCS files: '$V_DIR'"
[[ "$V_BIG_NT" == 0 || "$V_BIG_NT" == 2 ]] || die "kyso verify --offline (no --trust) on the big file: exit $V_BIG_NT"
pdfsig_ok() {  # pdfsig_ok FILE: one signature, valid and trusted
  local out; out="$("${PDFSIG[@]}" "$1" 2>&1)" || true
  grep -q 'Signature Validation: Signature is Valid\.' <<<"$out" \
    && grep -q 'Certificate Validation: Certificate is Trusted\.' <<<"$out"
}
pdfsig_ok "$S_LO" || die "pdfsig does not judge $S_LO valid and trusted"
pdfsig_ok "$S_LO2" || die "pdfsig does not judge $S_LO2 valid and trusted"
pdfsig_ok "$S_BIG" || die "pdfsig does not judge $S_BIG valid and trusted"
pdfsig_ok "$DIR/doc-0001.pdf" || die "pdfsig does not judge $DIR/doc-0001.pdf valid and trusted"
pdfsig_ok "$DIR/doc-$(printf '%04d' "$N_DOCS").pdf" || die "pdfsig does not judge the last folder file valid"
"${PYV[@]}" --pretty-print "$S_LO" >"$OUTD/verdict-pyhanko-lo.txt" 2>&1 || true
grep -q 'judged VALID' "$OUTD/verdict-pyhanko-lo.txt" \
  || die "pyHanko does not judge $S_LO VALID (see $OUTD/verdict-pyhanko-lo.txt)"
PY_RC=0; "${PYV[@]}" "$S_LO" >/dev/null 2>&1 || PY_RC=$?
V_PDFSIG="Signature is Valid, Certificate is Trusted (lo, big, first and last folder file)"

# ------------------------------------------------------------------ wait for an idle machine
bench_wait_idle

HF=(hyperfine -N --style basic --warmup "$WARMUP" --runs "$RUNS")
# kyso exits 2 (indeterminate) offline, pdfsig/pyHanko may exit non-zero: verdicts were checked above
IGN=(-i)

# ------------------------------------------------------------------ 1. small file
CMD_K1="$(q "${KV[@]}" "$S_LO")"
CMD_S1="$(q "${PDFSIG[@]}" "$S_LO")"
CMD_P1="$(q "${PYV[@]}" "$S_LO")"
say "1/3 signed draft-lo.pdf: kyso vs pdfsig vs pyHanko"
"${HF[@]}" "${IGN[@]}" --export-json "$OUTD/small.json" \
  -n "kyso verify" "$CMD_K1" -n "pdfsig" "$CMD_S1" >"$OUTD/small.txt"
cat "$OUTD/small.txt" >&2
CMD_K1B="$(q "${KV[@]}" "$S_LO2")"
CMD_S1B="$(q "${PDFSIG[@]}" "$S_LO2")"
"${HF[@]}" "${IGN[@]}" --export-json "$OUTD/small2.json" \
  -n "kyso verify" "$CMD_K1B" -n "pdfsig" "$CMD_S1B" >"$OUTD/small2.txt"
cat "$OUTD/small2.txt" >&2
hyperfine -N --style basic --warmup 1 --runs "$PY_RUNS" "${IGN[@]}" --export-json "$OUTD/small-py.json" \
  -n "pyhanko validate" "$CMD_P1" >"$OUTD/small-py.txt"
cat "$OUTD/small-py.txt" >&2

# ------------------------------------------------------------------ 2. big file
K2=("$KYSO" verify --offline "$S_BIG")
CMD_K2="$(q "${K2[@]}")"
CMD_H2="$(q sha256sum "$S_BIG")"
CMD_O2="$(q openssl dgst -sha256 "$S_BIG")"
CMD_S2="$(q "${PDFSIG[@]}" "$S_BIG")"
BIG_BYTES="$(stat -c %s "$S_BIG")"
say "2/3 signed big-300p.pdf: kyso vs sha256sum (openssl dgst, pdfsig for reference)"
"${HF[@]}" "${IGN[@]}" --export-json "$OUTD/big.json" \
  -n "kyso verify" "$CMD_K2" -n "sha256sum" "$CMD_H2" -n "openssl dgst -sha256" "$CMD_O2" \
  -n "pdfsig" "$CMD_S2" >"$OUTD/big.txt"
cat "$OUTD/big.txt" >&2
for i in $(seq 1 "$RSS_RUNS"); do
  /usr/bin/time -v -o "$OUTD/rss-kyso-$i.txt" "${K2[@]}" >/dev/null 2>&1 || true
done
/usr/bin/time -v -o "$OUTD/rss-pdfsig-big.txt" "${PDFSIG[@]}" "$S_BIG" >/dev/null 2>&1 || true

# ------------------------------------------------------------------ 3. folder
K3=("${KV[@]}" "$DIR")
CMD_K3="$(q "${K3[@]}")"
# sequential pdfsig over the same files, in the folder's sorted order
LOOP3="for f in $(q "$DIR")/*.pdf; do pdfsig -nssdir $(q "sql:$NSS") \"\$f\" >/dev/null 2>&1; done"
PAR3="printf '%s\\0' $(q "$DIR")/*.pdf | xargs -0 -n 1 -P 2 pdfsig -nssdir $(q "sql:$NSS") >/dev/null 2>&1; true"
say "3/3 folder of $N_DOCS signed documents: kyso (all cores) vs pdfsig loop"
hyperfine -N --style basic --warmup 1 --runs "$DIR_RUNS" "${IGN[@]}" --export-json "$OUTD/dir.json" \
  -n "kyso verify DIR" "$CMD_K3" >"$OUTD/dir.txt"
cat "$OUTD/dir.txt" >&2
/usr/bin/time -v -o "$OUTD/time-kyso-dir.txt" "${K3[@]}" >/dev/null 2>&1 || true
hyperfine -N --style basic --warmup 0 --runs 1 "${IGN[@]}" --export-json "$OUTD/dir-pdfsig.json" \
  -n "pdfsig loop" "$(q bash -c "$LOOP3")" \
  -n "pdfsig xargs -P 2" "$(q bash -c "$PAR3")" >"$OUTD/dir-pdfsig.txt"
cat "$OUTD/dir-pdfsig.txt" >&2

kill "$SAMPLER" 2>/dev/null || true
RUSTC1="$(pgrep -c rustc || true)"
LOAD1="$(cut -d' ' -f1-3 /proc/loadavg)"

# ------------------------------------------------------------------ report
CPU="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
NPROC="$(nproc)"
SHA_NI="no"; grep -qw sha_ni /proc/cpuinfo && SHA_NI="yes"
MEM_MB="$(awk '/MemTotal/ {printf "%d", $2/1024}' /proc/meminfo)"
export OUTD RUNS PY_RUNS DIR_RUNS N_DOCS BIG_BYTES
TABLE="$(python3 - <<'PY'
import json, os, re, glob
o = os.environ["OUTD"]
def res(f):
    return {r["command"]: r for r in json.load(open(f"{o}/{f}"))["results"]}
def ms(r):
    sd = r.get("stddev")
    return f'{r["median"]*1e3:.1f} ms' + (f' (σ {sd*1e3:.1f})' if sd is not None else "")
def tv(f):
    t = open(f).read()
    kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
    cpu = re.search(r"Percent of CPU this job got: (\S+)", t).group(1)
    el = re.search(r"Elapsed \(wall clock\) time.*: (\S+)", t).group(1)
    return kb, cpu, el
pv = lambda ok: "PASS" if ok else "MISS"
s, py, b, d, dp = res("small.json"), res("small-py.json"), res("big.json"), res("dir.json"), res("dir-pdfsig.json")
s2x = res("small2.json")
k1, s1, p1 = s["kyso verify"], s["pdfsig"], py["pyhanko validate"]
k1b, s1b = s2x["kyso verify"], s2x["pdfsig"]
k2, h2, o2, s2 = b["kyso verify"], b["sha256sum"], b["openssl dgst -sha256"], b["pdfsig"]
k3, l3, x3 = d["kyso verify DIR"], dp["pdfsig loop"], dp["pdfsig xargs -P 2"]
n = int(os.environ["N_DOCS"])
r1, r1p = s1["median"] / k1["median"], p1["median"] / k1["median"]
r2, r2o = k2["median"] / h2["median"], k2["median"] / o2["median"]
kr = [tv(f) for f in sorted(glob.glob(f"{o}/rss-kyso-*.txt"))]
kmax = max(k for k, _, _ in kr)
try:
    sk, _, sel = tv(f"{o}/rss-pdfsig-big.txt"); srss = f"{sk/1024:.0f} MiB (wall {sel})"
except Exception:
    srss = "?"
dk, dcpu, del_ = tv(f"{o}/time-kyso-dir.txt")
cpu_ok = int(dcpu.rstrip("%")) > 150
mb = int(os.environ["BIG_BYTES"]) / 1e6
dps = lambda r: f"{n / r['median']:.0f} docs/s"
rows = [
 ("1", "kyso verify --offline --trust root.pem --crl …, signed draft-lo.pdf (2 pages), median", ms(k1), "", ""),
 ("1", "pdfsig -nssdir sql:nssdb, same file, median", ms(s1), "", ""),
 ("1", f"pyhanko sign validate --no-revocation-check, same file, median of {os.environ['PY_RUNS']}", ms(p1), "", ""),
 ("1", "**ratio pdfsig / kyso**", f"**{r1:.1f}×**", "≥ 2×", pv(r1 >= 2)),
 ("1", "ratio pyHanko / kyso", f"{r1p:.0f}×", "—", "info"),
 ("1b", "kyso verify, draft-lo.pdf signed twice (RSA-2048, RSA-3072), median", ms(k1b), "≤ 5 ms", pv(k1b["median"] <= 0.005)),
 ("1b", "pdfsig, same file, median", ms(s1b), "", ""),
 ("1b", "**ratio pdfsig / kyso**", f"**{s1b['median']/k1b['median']:.1f}×**", "≥ 4×", pv(s1b["median"] / k1b["median"] >= 4)),
 ("2", f"kyso verify --offline, signed big-300p.pdf ({mb:.1f} MB), median", ms(k2), "", ""),
 ("2", "sha256sum, same file, median", ms(h2), "", ""),
 ("2", "**ratio kyso / sha256sum**", f"**{r2:.2f}×**", "≤ 2×", pv(r2 <= 2)),
 ("2", "(reference) openssl dgst -sha256, median; ratio kyso / openssl", f"{ms(o2)}; {r2o:.2f}×", "—", "info"),
 ("2", "(reference) pdfsig, same file, median; ratio pdfsig / kyso", f"{ms(s2)}; {s2['median']/k2['median']:.1f}×", "—", "info"),
 ("2", f"**kyso peak RSS**, big file (max of {len(kr)} run{'s' if len(kr) > 1 else ''})", f"**{kmax/1024:.1f} MiB**", "< 64 MiB", pv(kmax < 64*1024)),
 ("2", "pdfsig peak RSS, big file (1 run)", srss, "—", "info"),
 ("3", f"kyso verify --offline --trust root.pem DIR ({n} one-page files), median of {os.environ['DIR_RUNS']}", f"{ms(k3)} = {dps(k3)}", "", ""),
 ("3", "**kyso CPU% on the folder** (/usr/bin/time -v, 1 run)", f"**{dcpu}** (wall {del_}, peak RSS {dk/1024:.1f} MiB)", "> 150 %", pv(cpu_ok)),
 ("3", "sequential shell loop of pdfsig over the same files (1 run)", f"{l3['median']:.2f} s = {dps(l3)}", "", ""),
 ("3", "**ratio pdfsig loop / kyso**", f"**{l3['median']/k3['median']:.1f}×**", "—", "info"),
 ("3", "(reference) the same pdfsig calls, xargs -P 2 (1 run); ratio / kyso", f"{x3['median']:.2f} s = {dps(x3)}; {x3['median']/k3['median']:.1f}×", "—", "info"),
]
print("| # | measurement | result | target | verdict |")
print("| --- | --- | --- | --- | --- |")
for r in rows:
    print("| " + " | ".join(r) + " |")
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
PYVER="$(pyhanko --version 2>/dev/null | sed 's/^pyHanko, version //')"
PDFSIGVER="$( (pdfsig -v 2>&1 || true) | head -1)"

REPORT="$(cat <<EOF
## Latest run: $(date '+%Y-%m-%d %H:%M %Z')

- machine: $NPROC cores ($(nproc --all) online), \`$CPU\` (SHA-NI: $SHA_NI), ${MEM_MB} MiB RAM, $(uname -sr)
- load: $LOADNOTE
- kyso: \`$KYSO_VER\`, git $REV, \`cargo build --release -p kyso --bin kyso\`
- tools: $(hyperfine --version), $PDFSIGVER, pyHanko $PYVER, $(sha256sum --version | head -1), $(openssl version | cut -d' ' -f1-2)
- test bed: \`$TB\` (tests/fixtures/make-testbed.sh --big). Inputs signed by this kyso with \`--pkcs12 pki/personal-rsa2048.p12\` (RSA-2048, chain in the CMS): draft-lo.pdf once, big-300p.pdf once, draft-director.pdf $N_DOCS times (\`--allow-name-mismatch\`: its block names another signer) into \`docs/doc-NNNN.pdf\` (${SIGN_DIR_S} s, 2 parallel \`kyso sign\`)
- verdicts checked before timing: kyso \`exit code + --json indications\`: draft-lo \`$V_LO\`, big \`$V_BIG\` (without \`--trust\`: exit $V_BIG_NT), folder \`$V_DIR\` — exit 2 = INDETERMINATE because the test PKI has no CRL/OCSP and \`--offline\` cannot check revocation (0 would be VALID); pdfsig: $V_PDFSIG; pyHanko (\`--no-revocation-check\`; it has \`--soft-revocation-check\` too, which only softens online failures): "The signature is judged VALID", exit $PY_RC
- hyperfine: \`-N --warmup $WARMUP --runs $RUNS\` (pyHanko \`--warmup 1 --runs $PY_RUNS\`; folder: kyso \`--warmup 1 --runs $DIR_RUNS\`, pdfsig 1 run), \`-i\` because kyso exits 2; page cache warm; JSON in \`${OUTD#"$ROOT"/}\`; commands run in \`$W\`, where \`kyso\` is a copy of the release binary

$TABLE

Commands:

\`\`\`sh
${HF[*]} -i --export-json small.json -n 'kyso verify' '$CMD_K1' -n pdfsig '$CMD_S1'
hyperfine -N --style basic --warmup 1 --runs $PY_RUNS -i --export-json small-py.json '$CMD_P1'
${HF[*]} -i --export-json big.json -n 'kyso verify' '$CMD_K2' -n sha256sum '$CMD_H2' \\
  -n 'openssl dgst -sha256' '$CMD_O2' -n pdfsig '$CMD_S2'
/usr/bin/time -v $CMD_K2          # x$RSS_RUNS, max "Maximum resident set size"
hyperfine -N --style basic --warmup 1 --runs $DIR_RUNS -i --export-json dir.json '$CMD_K3'
/usr/bin/time -v $CMD_K3          # "Percent of CPU this job got"
# pdfsig over the folder, 1 run each, timed as hyperfine -N --runs 1 -i 'bash -c SCRIPT' (dir-pdfsig.json):
$LOOP3
$PAR3
\`\`\`
EOF
)"
REPORT="${REPORT//$W\//}"

echo
echo "$REPORT"

if [[ "$DOC" != none ]]; then
  mkdir -p "$(dirname "$DOC")"
  [[ -f "$DOC" ]] || : >"$DOC"
  if ! grep -q '<!-- bench-verify:begin -->' "$DOC"; then
    # shellcheck disable=SC2016
    printf '%s\n' '' '# Benchmarks: `kyso verify`' '' \
      'Made by `scripts/bench-verify.sh [TESTBED_DIR]` (same test bed, build and idle-wait as the' \
      'signing benchmark above). Inputs are signed by kyso with the PKCS#12 signer' \
      '`pki/personal-rsa2048.p12`. The block between the markers below is rewritten on every run.' '' \
      'Targets:' '' \
      '| # | what | target |' '| --- | --- | --- |' \
      '| 1 | `kyso verify --offline --trust root.pem` vs `pdfsig` (and pyHanko, information) on the signed 2-page draft | pdfsig / kyso ≥ 2× |' \
      '| 2 | `kyso verify --offline` vs `sha256sum` on the signed `big-300p.pdf` (~55 MB) | kyso / sha256sum ≤ 2× |' \
      '| 2 | peak RSS of `kyso verify` on the signed `big-300p.pdf` | < 64 MiB |' \
      '| 3 | `kyso verify DIR` on 1,000 signed one-page documents: uses both cores | CPU > 150 % |' \
      '' '<!-- bench-verify:begin -->' '<!-- bench-verify:end -->' >>"$DOC"
  fi
  REPORT="$REPORT" python3 - "$DOC" <<'PY'
import os, re, sys
p = sys.argv[1]
t = open(p, encoding="utf-8").read()
new = "<!-- bench-verify:begin -->\n" + os.environ["REPORT"].strip() + "\n<!-- bench-verify:end -->"
t = re.sub(r"<!-- bench-verify:begin -->.*?<!-- bench-verify:end -->", lambda m: new, t, count=1, flags=re.S)
open(p, "w", encoding="utf-8").write(t)
PY
  say "wrote $DOC"
fi
# the signed big file is 55 MB and the folder 1000 files; keep JSON, logs and the small file
rm -rf "$S_BIG" "$DIR"
