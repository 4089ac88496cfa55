#!/usr/bin/env bash
# scripts/bench-longterm.sh [TESTBED_DIR]
#
# Whole-process timings of long-term signing (issue 11, docs/long-term.md) against local
# servers on 127.0.0.1 (the test PKI of tests/fixtures/trust: tsa-server.py for the TSA
# and CRLs, `openssl ocsp` for OCSP), the same identity (good.key/good.pem, RSA-2048) and
# the same files for every tool:
#   1. B-T on drafts/draft-lo.pdf (2 pages):  kyso sign --level b-t  vs
#      pyhanko sign addsig --use-pades --timestamp-url                 target: pyHanko/kyso >= 10x
#   2. B-LT on the same draft: kyso sign --level b-lt  vs the same pyHanko call with
#      --with-validation-info (revocation data fetched and embedded)   target: >= 10x
#   3. B-LTA on drafts/big-300p.pdf (~55 MB): kyso sign --level b-lta  vs  sha256sum of
#      the file                                                         target: kyso/sha256sum <= 3x
# kyso's revocation cache is emptied before every run (`--prepare`), so every kyso run
# fetches its OCSP/CRL answers as pyHanko does. kyso also checks the signing certificate
# before signing (OCSP), which pyHanko's B-T does not do.
# Before timing, each output is checked (kyso verify: the level; pyHanko: the file exists).
# Medians from hyperfine (-N); prints a Markdown table and writes it between
# <!-- bench-longterm:begin --> and <!-- bench-longterm:end --> in docs/benchmarks.md.
#
# Knobs: RUNS=10 PY_RUNS=5 KYSO_BIN=path BENCH_DOC=path|none BENCH_OUT=dir
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/bench-lib.sh
source "$ROOT/scripts/bench-lib.sh"
RUNS="${RUNS:-10}"
PY_RUNS="${PY_RUNS:-5}"
TB="${1:-$ROOT/target/bench-testbed}"
OUT="${BENCH_OUT:-$ROOT/target/bench-results/longterm-$(date +%Y%m%d-%H%M%S)}"
DOC="${BENCH_DOC:-$ROOT/docs/benchmarks.md}"
mkdir -p "$OUT"
for t in hyperfine pyhanko openssl python3 sha256sum; do
    command -v "$t" >/dev/null || { echo "bench-longterm.sh: $t is required (scripts/setup-test-deps.sh)" >&2; exit 1; }
done

bash tests/fixtures/make-testbed.sh --big "$TB" >/dev/null
DRAFT="$TB/drafts/draft-lo.pdf"
BIG="$TB/drafts/big-300p.pdf"

if [[ -z "${KYSO_BIN:-}" ]]; then
    cargo build -q --release -p kyso --bin kyso
    KYSO_BIN="$ROOT/target/release/kyso"
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
HTTP=$(free_port) OCSP=$(free_port)
PKI="$OUT/pki"
bash tests/fixtures/trust/make-pki.sh "$PKI" "$HTTP" "$OCSP" >/dev/null
python3 tests/fixtures/trust/tsa-server.py "$HTTP" "$PKI" >"$OUT/tsa.log" 2>&1 &
TSA_PID=$!
(cd "$PKI" && exec openssl ocsp -index inter/index.txt -port "$OCSP" -rsigner ocsp.pem -rkey ocsp.key -CA inter.pem \
    -nmin 10 -ignore_err) >"$OUT/ocsp.log" 2>&1 &
OCSP_PID=$!
trap 'kill $TSA_PID $OCSP_PID 2>/dev/null || true' EXIT
sleep 1
URL="http://127.0.0.1:$HTTP/tsa"
CACHE="$OUT/cache"
export KYSO_P12_PASSWORD=1234 KYSO_SETTINGS="$OUT/no-settings.toml" XDG_CACHE_HOME="$CACHE"

kyso_sign() { # level input output
    echo "$KYSO_BIN sign $2 -o $3 --force --invisible --pkcs12 $PKI/good.p12 --trust $PKI/root.pem --tsa $URL --level $1"
}
py_sign() { # extra input output
    echo "pyhanko sign addsig --field Sig1 --timestamp-url $URL $1 --use-pades pemder --key $PKI/good.key --cert $PKI/good.pem --chain $PKI/chain.pem --no-pass $2 $3"
}
PY_LT="--with-validation-info --trust $PKI/root.pem --trust-replace"

# Verdicts first: what is timed must be the success path.
for level in b-t b-lt; do
    $(kyso_sign "$level" "$DRAFT" "$OUT/kyso-$level.pdf") >/dev/null
    "$KYSO_BIN" verify --json --trust "$PKI/root.pem" "$OUT/kyso-$level.pdf" | grep -q "\"level\": \"${level^^}\"" \
        || { echo "bench-longterm.sh: kyso $level output is not $level" >&2; exit 1; }
done
$(kyso_sign b-lta "$BIG" "$OUT/kyso-big-lta.pdf") >/dev/null
"$KYSO_BIN" verify --json --trust "$PKI/root.pem" "$OUT/kyso-big-lta.pdf" | grep -q '"level": "B-LTA"' \
    || { echo "bench-longterm.sh: the big file is not B-LTA" >&2; exit 1; }
rm -f "$OUT/py-bt.pdf" "$OUT/py-blt.pdf"
$(py_sign "" "$DRAFT" "$OUT/py-bt.pdf") >/dev/null 2>&1
$(py_sign "$PY_LT" "$DRAFT" "$OUT/py-blt.pdf") >/dev/null 2>&1
[[ -s "$OUT/py-bt.pdf" && -s "$OUT/py-blt.pdf" ]] || { echo "bench-longterm.sh: pyHanko did not sign" >&2; exit 1; }

hf() { # name runs prepare command
    hyperfine -N --warmup 1 --runs "$2" --prepare "$3" --export-json "$OUT/$1.json" "$4" >"$OUT/$1.txt" 2>&1
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' "$OUT/$1.json"
}
CLEAR="rm -rf $CACHE"
K_BT=$(hf kyso-bt "$RUNS" "$CLEAR" "$(kyso_sign b-t "$DRAFT" "$OUT/kyso-b-t.pdf")")
P_BT=$(hf py-bt "$PY_RUNS" "rm -f $OUT/py-bt.pdf" "$(py_sign "" "$DRAFT" "$OUT/py-bt.pdf")")
K_LT=$(hf kyso-blt "$RUNS" "$CLEAR" "$(kyso_sign b-lt "$DRAFT" "$OUT/kyso-b-lt.pdf")")
P_LT=$(hf py-blt "$PY_RUNS" "rm -f $OUT/py-blt.pdf" "$(py_sign "$PY_LT" "$DRAFT" "$OUT/py-blt.pdf")")
K_BIG=$(hf kyso-big "$RUNS" "$CLEAR" "$(kyso_sign b-lta "$BIG" "$OUT/kyso-big-lta.pdf")")
SHA=$(hf sha256sum "$RUNS" "true" "sha256sum $BIG")

ms() { python3 -c "print(f'{float(\"$1\")*1000:.1f} ms')"; }
ratio() { python3 -c "print(f'{float(\"$1\")/float(\"$2\"):.1f}×')"; }
SIZE=$(stat -c %s "$BIG")
TABLE=$(cat <<EOF
Measured $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); kyso $("$KYSO_BIN" --version | cut -d' ' -f2) (release), $(pyhanko --version 2>&1 | head -1); medians of hyperfine -N (kyso $RUNS runs, revocation cache emptied before each; pyHanko $PY_RUNS runs).

| case | kyso | peer | ratio | target |
| --- | --- | --- | --- | --- |
| B-T, draft-lo.pdf (2 pages) | $(ms "$K_BT") | pyHanko $(ms "$P_BT") | pyHanko/kyso $(ratio "$P_BT" "$K_BT") | ≥ 10× |
| B-LT, draft-lo.pdf | $(ms "$K_LT") | pyHanko $(ms "$P_LT") | pyHanko/kyso $(ratio "$P_LT" "$K_LT") | ≥ 10× |
| B-LTA, big-300p.pdf ($((SIZE / 1000000)) MB) | $(ms "$K_BIG") | sha256sum $(ms "$SHA") | kyso/sha256sum $(ratio "$K_BIG" "$SHA") | ≤ 3× |

Commands: \`scripts/bench-longterm.sh\`; raw results in \`$OUT\`.
EOF
)
echo "$TABLE"
if [[ "$DOC" != none ]]; then
    bench_write_section "$DOC" bench-longterm "Benchmarks: long-term signing" "$TABLE"
fi
