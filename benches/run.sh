#!/usr/bin/env bash
# The one command that regenerates every figure in BENCHMARKS.md:
#
#   benches/run.sh [--rounds R] [--no-callgrind] [--no-criterion]
#
# 1. builds the fixtures and peers in release (with the 10,000-statics
#    fixture: feature `statics10k`) and the C peer with `cc -O2`;
# 2. runs the criterion benches (in-process `register`);
# 3. runs the driver: interleaved process-level wall times, SIGTERM
#    latency, and callgrind instruction counts when valgrind is installed;
# 4. saves callgrind_annotate breakdowns of our hot paths;
# everything lands in target/bench-results/ (results.md is the table).
#
# Needs: cargo, cc, python3; optional: valgrind (apt-get install valgrind).
# CI only compiles the benches (`cargo bench --no-run`); it never runs this.
set -euo pipefail
cd "$(dirname "$0")/.."

criterion=1
driver_args=()
while (($#)); do
    case "$1" in
        --no-criterion) criterion=0 ;;
        --no-callgrind) driver_args+=(--no-callgrind) ;;
        --rounds) driver_args+=(--rounds "$2"); shift ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done

target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
bin="$target/release"
out="$target/bench-results"
mkdir -p "$out"

echo "==> build (release, statics10k)" >&2
cargo build --release -p cleanup-benches --features statics10k --bins
cc -O2 -pthread -o "$bin/peer-c-atexit" benches/peers/atexit.c

{
    echo "# Environment"
    echo
    echo "- date: $(date -u +%Y-%m-%dT%H:%MZ); host: $(uname -srm); cores: $(nproc)"
    echo "- $(rustc --version); $(cc --version | head -1); $(python3 --version)"
    echo "- glibc $(ldd --version | head -1 | awk '{print $NF}'); $(valgrind --version 2>/dev/null || echo 'no valgrind')"
    echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$out/environment.md"
cat "$out/environment.md"

if ((criterion)); then
    echo "==> criterion: in-process register" >&2
    cargo bench -p cleanup-benches --bench register 2>&1 | tee "$out/criterion.txt" \
        | grep -E '^(register|\s+time:|\s+thrpt:)' || true
fi

echo "==> driver: process-level, interleaved" >&2
# The interpreter itself, not a pyenv shim (a shell script) in front of it.
python=$(python3 -c "import sys; print(sys.executable)")
"$bin/driver" --c-peer "$bin/peer-c-atexit" --python "$python" --python-peer benches/peers/atexit.py \
    --out "$out" "${driver_args[@]}"

if command -v callgrind_annotate >/dev/null && [[ " ${driver_args[*]} " != *" --no-callgrind "* ]]; then
    echo "==> callgrind_annotate: where our instructions go" >&2
    for name in "fx-ours_run_100000_plain" "fx-ours_reg_100000_plain" "fx-ours_reg_100000_capture" \
        "glibc-atexit_run_100000" "fx-statics10k_first-use" "fx-statics10k-ordered_none"; do
        file="$out/callgrind.$name.out"
        [[ -f "$file" ]] && callgrind_annotate --inclusive=no "$file" 2>/dev/null | head -40 > "$out/annotate.$name.txt"
    done
    for name in "fx-ours_run_100000_plain" "fx-statics10k_first-use"; do
        file="$out/callgrind.$name.out"
        [[ -f "$file" ]] && callgrind_annotate --inclusive=yes "$file" 2>/dev/null | head -60 > "$out/annotate-inclusive.$name.txt"
    done
fi
echo "==> results: $out/results.md" >&2
