#!/usr/bin/env bash
# Runs every *_fuzz binary in BIN_DIR for SECONDS each (`make fuzz`), one line per target.
#   tests/fuzz/run_all.sh BIN_DIR SECONDS
# Corpora live in BIN_DIR/../corpus/<target> and grow from run to run; seeds are written there at
# run time from ethereum-tests (read in place, never copied into the repo) and a few encodings
# built below. Crash inputs go to BIN_DIR/../artifacts/<target>/, logs to BIN_DIR/../logs/.
# Exits non-zero when any target crashes, or fails a property.
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 BIN_DIR SECONDS" >&2
    exit 2
fi
bin_dir=$(cd "$1" && pwd)
seconds=$2
repo=$(cd "$(dirname "$0")/../.." && pwd)
build_dir=$(dirname "$bin_dir")
tests_dir=${L2_ETHEREUM_TESTS_DIR:-$repo/../shared/conformance/ethereum-tests}

shopt -s nullglob
targets=("$bin_dir"/*_fuzz)
if [ ${#targets[@]} -eq 0 ]; then
    echo "run_all.sh: no *_fuzz binaries in $bin_dir" >&2
    exit 2
fi
if [ ! -d "$tests_dir" ]; then
    echo "run_all.sh: warning: no ethereum-tests at $tests_dir (set L2_ETHEREUM_TESTS_DIR);" \
         "seeding from built-in encodings only" >&2
fi

mkdir -p "$build_dir/corpus" "$build_dir/artifacts" "$build_dir/logs"

# Seeds, named by their sha1 as libFuzzer names corpus files, so reseeding is idempotent.
python3 - "$tests_dir" "$build_dir/corpus" <<'PY'
import hashlib, json, os, pathlib, sys

tests, corpus = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])

def unhex(s):
    s = s[2:] if s.startswith("0x") else s
    try:
        return bytes.fromhex(s)
    except ValueError:
        return None

def fixtures(folder, key, valid_only=False):
    """Every `key` value (hex) of the JSON tests under ethereum-tests/<folder>; with valid_only,
    only TransactionTests cases valid in Cancun (their result carries a hash)."""
    out = []
    for path in sorted((tests / folder).rglob("*.json")):
        try:
            cases = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        for case in cases.values():
            if not isinstance(case, dict):
                continue
            if valid_only and "hash" not in case.get("result", {}).get("Cancun", {}):
                continue
            v = case.get(key)
            b = unhex(v) if isinstance(v, str) else None
            if b:
                out.append(b)
    return out

class Raw(bytes):
    """An already-encoded item."""

# A minimal RLP encoder (YP Appendix B): bytes are strings, lists are lists, ints are scalars.
def rlp(x):
    if isinstance(x, Raw):
        return x
    if isinstance(x, int):
        x = x.to_bytes((x.bit_length() + 7) // 8, "big")
    if isinstance(x, list):
        payload = b"".join(rlp(i) for i in x)
        return length_prefix(0xC0, len(payload)) + payload
    if len(x) == 1 and x[0] < 0x80:
        return x
    return length_prefix(0x80, len(x)) + x

def length_prefix(base, n):
    if n < 56:
        return bytes([base + n])
    be = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([base + 55 + len(be)]) + be

h32, addr, bloom = bytes(range(32)), bytes(range(0x40, 0x54)), bytes(255) + b"\x01"
fee_split = b"\x7d" + rlp([10, 1, 2, 30, 21000, addr, 5, b"\x60\x00", [[addr, [h32]]], 7, 8, [],
                           1, 0x1234, 0x5678])
deposit = b"\x7e" + rlp([h32, addr, addr, 10**18, 10**18, 100000, 0, b"\xca\xfe"])

def header(fork):
    f = [h32, h32, addr, h32, h32, h32, bloom, 0, 1000, 30000000, 21000, 1700000000, b"l2node",
         h32, bytes(8)]
    for extra in ([7], [h32], [0, 0, h32], [h32])[:fork]:
        f += extra
    return f

logs = [[addr, [h32, h32], b"\x01\x02"], [addr, [], b""]]
receipts = [rlp([1, 21000, bloom, []]), b"\x01" + rlp([0, 1, bloom, logs]),
            b"\x02" + rlp([1, 50000, bloom, logs]), b"\x7d" + rlp([1, 60000, bloom, []]),
            b"\x7e" + rlp([1, 70000, bloom, logs, 3]), b"\x7e" + rlp([1, 70000, bloom, [], 3, 1])]

txs = fixtures("TransactionTests", "txbytes") + [fee_split, deposit]
valid = fixtures("TransactionTests", "txbytes", valid_only=True)
legacy = [t for t in valid if t[0] >= 0xC0][:2]
typed = [t for t in valid if t[0] in (0x01, 0x02)][:2] + [fee_split, deposit]
body = [Raw(t if t[0] >= 0xC0 else rlp(t)) for t in legacy + typed]  # typed: wrapped
withdrawals = [[0, 1, addr, 32 * 10**9], [1, 2, addr, 1]]
blocks = [rlp([header(0), [], []]), rlp([header(1), body, [header(0)]]),
          rlp([header(2), body, [], withdrawals]), rlp([header(4), body[-1:], [], []])]

seeds = {
    "rlp_decode_fuzz": fixtures("RLPTests", "out"),
    "tx_decode_fuzz": txs + [rlp(t) for t in typed],
    "block_decode_fuzz": [rlp(header(n)) for n in range(5)] + receipts + blocks,
}
for target, inputs in seeds.items():
    d = corpus / target
    d.mkdir(parents=True, exist_ok=True)
    for b in inputs:
        (d / hashlib.sha1(b).hexdigest()).write_bytes(b)
PY

# WASM modules: the examples, compiled by wabt's wat2wasm (Debian's wabt package), so the module
# fuzzer starts past the magic number and the section parser.
if command -v wat2wasm >/dev/null; then
    mkdir -p "$build_dir/corpus/wasm_module_fuzz"
    for wat in "$repo"/examples/wasm/*.wat; do
        wat2wasm "$wat" -o "$build_dir/corpus/wasm_module_fuzz/seed-$(basename "$wat" .wat)" ||
            echo "run_all.sh: warning: wat2wasm failed on $wat" >&2
    done
fi

# UBSan only reports by default: make it fatal so libFuzzer keeps the input.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

failed=0
for bin in "${targets[@]}"; do
    name=$(basename "$bin")
    corpus="$build_dir/corpus/$name"
    artifacts="$build_dir/artifacts/$name/"
    log="$build_dir/logs/$name.log"
    mkdir -p "$corpus" "$artifacts"
    rc=0
    "$bin" "$corpus" -max_total_time="$seconds" -max_len=4096 -timeout=25 -print_final_stats=1 \
        -artifact_prefix="$artifacts" >"$log" 2>&1 || rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    size=$(find "$corpus" -type f | wc -l)
    if [ "$rc" -eq 0 ]; then
        result="ok"
    else
        failed=1
        artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
        result="FAILED (exit $rc${artifact:+, input $artifact}; log $log)"
    fi
    printf '%-20s %12s execs in %ss, corpus %6s inputs: %s\n' \
        "$name" "${execs:-?}" "$seconds" "$size" "$result"
    if [ "$rc" -ne 0 ]; then
        grep -E 'ERROR|property violated|runtime error' "$log" | head -n 5 | sed 's/^/    /' || true
    fi
done
exit "$failed"
