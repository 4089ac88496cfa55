#!/usr/bin/env bash
# scripts/bench-bridge.sh [TESTBED_DIR]
#
# The e-office bridge's round trip (issue 12, docs/eoffice-bridge.md): a page's
# SignApproved call for drafts/draft-lo.pdf (2 pages) — download from a local mock
# e-office server (tests/fixtures/eoffice/server.py), queue, login, sign, verify,
# upload, reply — against `kyso sign` of the same file with the same certificate and
# signature image (whole process, PIN from KYSO_PIN). Both on a private copy of the
# SoftHSM2 test token, release build, `kyso bridge --unattended`.
# The calls are made by tests/fixtures/eoffice/wscall.py (one TLS + WebSocket
# connection per call, as pages do) and timed inside it (no process start);
# `kyso sign` is timed by hyperfine -N. Target: bridge median ≤ kyso sign median + 100 ms.
# Prints a Markdown table and writes it between <!-- bench-bridge:begin --> and
# <!-- bench-bridge:end --> in docs/benchmarks.md.
#
# Knobs: RUNS=20 KYSO_BIN=path BENCH_DOC=path|none BENCH_OUT=dir
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/bench-lib.sh
source "$ROOT/scripts/bench-lib.sh"
RUNS="${RUNS:-20}"
TB="${1:-$ROOT/target/bench-testbed}"
OUT="${BENCH_OUT:-$ROOT/target/bench-results/bridge-$(date +%Y%m%d-%H%M%S)}"
DOC="${BENCH_DOC:-$ROOT/docs/benchmarks.md}"
mkdir -p "$OUT"
for t in hyperfine python3; do
    command -v "$t" >/dev/null || { echo "bench-bridge.sh: $t is required (scripts/setup-test-deps.sh)" >&2; exit 1; }
done
bash tests/fixtures/make-testbed.sh "$TB" >/dev/null
# shellcheck disable=SC1091
source "$TB/testbed.env"
if [[ -z "${KYSO_BIN:-}" ]]; then
    cargo build -q --release -p kyso --bin kyso
    KYSO_BIN="$ROOT/target/release/kyso"
fi

# A private token copy, the document, the images.
cp -a "$TB/tokens" "$OUT/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n' "$OUT/tokens" >"$OUT/softhsm2.conf"
export SOFTHSM2_CONF="$OUT/softhsm2.conf" HOME="$OUT/home"
mkdir -p "$OUT/docs" "$OUT/uploads" "$OUT/home" "$OUT/images"
cp "$TB/drafts/draft-lo.pdf" "$OUT/docs/to-trinh.pdf"
python3 tests/fixtures/stamps/make-images.py "$OUT/images"

python3 tests/fixtures/eoffice/server.py "$OUT/docs" "$OUT/uploads" >"$OUT/eoffice.out" 2>"$OUT/eoffice.log" &
EO_PID=$!
BR_PID=""
trap 'kill $EO_PID ${BR_PID:-} 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q PORT "$OUT/eoffice.out" 2>/dev/null && break; sleep 0.1; done
EO=$(awk '/PORT/{print $2}' "$OUT/eoffice.out")
ORIGIN="http://127.0.0.1:$EO"

COMMON=(--module "$KYSO_TEST_MODULE" --token KYSO-TEST --trust "$KYSO_TEST_ROOT" --offline)
mkfifo "$OUT/pin"
"$KYSO_BIN" bridge --listen 127.0.0.1:0 --allow-origin "$ORIGIN" --unattended --pin-stdin "${COMMON[@]}" \
    --cert-label "Nguyen Van An" --data-dir "$OUT/data" --signature-image "$OUT/images/signature.png" \
    <"$OUT/pin" >"$OUT/bridge.out" 2>"$OUT/bridge.log" &
BR_PID=$!
echo "$KYSO_TEST_PIN" >"$OUT/pin"
for _ in $(seq 100); do grep -q 'wss://' "$OUT/bridge.out" 2>/dev/null && break; sleep 0.1; done
BR=$(grep -o 'wss://127.0.0.1:[0-9]*' "$OUT/bridge.out" | cut -d: -f3)
CA="$OUT/data/bridge/ca.pem"
REQ="{\"FileName\":\"/files/to-trinh.pdf\",\"FileUploadHandler\":\"/upload\",\"SessionId\":\"sess-7f3a\",\"JWTToken\":\"jwt-eyJhbGciOi.test\"}"

# Warm-up, then the timed calls.
python3 tests/fixtures/eoffice/wscall.py --port "$BR" --origin "$ORIGIN" --ca "$CA" --repeat 2 SignApproved "$REQ" >/dev/null 2>&1
python3 tests/fixtures/eoffice/wscall.py --port "$BR" --origin "$ORIGIN" --ca "$CA" --repeat "$RUNS" SignApproved "$REQ" \
    >"$OUT/bridge-replies.jsonl" 2>"$OUT/bridge-ms.txt"
BRIDGE_MS=$(python3 -c "import statistics,sys; v=[float(l) for l in open(sys.argv[1]) if l.strip()]; print(f'{statistics.median(v):.1f}')" "$OUT/bridge-ms.txt")

# kyso sign of the same file, same certificate, the same (prepared) image.
IMG="$OUT/data/images/signature.png"
KYSO_PIN="$KYSO_TEST_PIN" hyperfine -N -w 2 -r "$RUNS" --export-json "$OUT/sign.json" \
    "$KYSO_BIN sign $OUT/docs/to-trinh.pdf -o $OUT/cli-signed.pdf --force ${COMMON[*]} --cert-label 'Nguyen Van An' --image $IMG --level b-b" >/dev/null
SIGN_MS=$(python3 -c "import json,sys; print(f\"{json.load(open(sys.argv[1]))['results'][0]['median']*1000:.1f}\")" "$OUT/sign.json")
EXTRA=$(python3 -c "print(f'{float(\"$BRIDGE_MS\") - float(\"$SIGN_MS\"):.1f}')")

TABLE=$(cat <<EOT
Measured $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); kyso $("$KYSO_BIN" --version | cut -d' ' -f2) (release), SoftHSM2 token, local mock e-office server; medians of $RUNS runs.

| case | median | target |
| --- | --- | --- |
| \`kyso sign\` draft-lo.pdf (2 pages), whole process | $SIGN_MS ms | |
| bridge SignApproved: download → queue → sign → verify → upload → reply | $BRIDGE_MS ms | |
| bridge beyond \`kyso sign\` | $EXTRA ms | ≤ 100 ms |

Commands: \`scripts/bench-bridge.sh\`; raw results in \`$OUT\`.
EOT
)
echo "$TABLE"
if [[ "$DOC" != none ]]; then
    bench_write_section "$DOC" bench-bridge "Benchmarks: e-office bridge" "$TABLE"
fi
