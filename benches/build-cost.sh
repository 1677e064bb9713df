#!/usr/bin/env bash
# What a new user's build pays for the runtime (CHANGELOG.md, "Build cost"):
#
#   benches/build-cost.sh [--rounds R] REV [REV ...]
#
# For each git revision, a hello program with one `#[at_exit]` is built
# against that revision's `cleanup-runtime` (a worktree under $TMPDIR),
# with and without default features, and a plain hello beside them:
#
# - crates compiled (`cargo tree`, the program itself included) and the
#   stripped release binary's size;
# - cold debug builds, each in an empty target directory, R rounds taken
#   in turn (hello, then each variant of each revision), in two modes:
#   `CARGO_INCREMENTAL=0`, how cargo builds a dependency from crates.io,
#   and the default, how it builds a path dependency (incrementally, in
#   256 codegen units: about 1.5 s more for the runtime alone).
#
# Prints one line per build and the medians. Run it on an idle machine;
# the load printed is the 1-minute average at the start of each build.
set -euo pipefail

rounds=5
revs=()
while (($#)); do
    case "$1" in
        --rounds) rounds=$2; shift ;;
        *) revs+=("$1") ;;
    esac
    shift
done
((${#revs[@]})) || { echo "usage: $0 [--rounds R] REV [REV ...]" >&2; exit 2; }

repo=$(git rev-parse --show-toplevel)
work=$(mktemp -d "${TMPDIR:-/tmp}/build-cost.XXXXXX")
trap 'for w in "$work"/wt-*; do git -C "$repo" worktree remove --force "$w" 2>/dev/null || true; done' EXIT

hello='fn main() {
    println!("Hello, world!");
}'
with_cleanup='#[cleanup_runtime::at_exit]
fn bye() {
    println!("bye");
}
'"$hello"

# scaffold DIR NAME DEPENDENCY-LINE SOURCE
scaffold() {
    mkdir -p "$1/src"
    printf '[package]\nname = "%s"\nversion = "0.1.0"\nedition = "2024"\n[dependencies]\n%s\n[profile.release]\nstrip = true\n[workspace]\n' \
        "$2" "$3" > "$1/Cargo.toml"
    printf '%s\n' "$4" > "$1/src/main.rs"
    (cd "$1" && cargo build -q --release \
        && echo "$(cargo tree -e normal,build --prefix none | sed 's/ (\*)//' | sort -u | wc -l) crates," \
            "release stripped $(stat -c %s "target/release/$2") B")
}

builds=(plain)
echo "plain: $(scaffold "$work/plain" plain "" "$hello")"
for rev in "${revs[@]}"; do
    short=$(git -C "$repo" rev-parse --short "$rev")
    git -C "$repo" worktree add --detach "$work/wt-$short" "$rev" > /dev/null 2>&1
    runtime="$work/wt-$short/cleanup-runtime"
    echo "$short nodef: $(scaffold "$work/$short-nodef" nodef \
        "cleanup-runtime = { path = \"$runtime\", default-features = false }" "$with_cleanup")"
    echo "$short def: $(scaffold "$work/$short-def" def \
        "cleanup-runtime = { path = \"$runtime\" }" "$with_cleanup")"
    builds+=("$short-nodef" "$short-def")
done

for mode in crates-io path; do
    for ((round = 1; round <= rounds; round++)); do
        for build in "${builds[@]}"; do
            cd "$work/$build"
            rm -rf target
            load=$(cut -d' ' -f1 /proc/loadavg)
            start=$(date +%s.%N)
            if [[ $mode == crates-io ]]; then
                CARGO_INCREMENTAL=0 cargo build -q
            else
                cargo build -q
            fi
            end=$(date +%s.%N)
            echo "time $mode $build $(echo "$end - $start" | bc) load $load"
        done
    done
done | tee "$work/times.txt"

python3 - "$work/times.txt" <<'PY'
import collections, statistics, sys
times = collections.defaultdict(list)
for line in open(sys.argv[1]):
    _, mode, build, seconds, _, _ = line.split()
    times[(mode, build)].append(float(seconds))
for mode in ("crates-io", "path"):
    hello = statistics.median(times[(mode, "plain")])
    print(f"{mode}: hello {hello:.2f} s")
    for (m, build), runs in times.items():
        if m == mode and build != "plain":
            median = statistics.median(runs)
            print(f"  {build:<16} {median:.2f} s (+{median - hello:.2f} s)")
PY
