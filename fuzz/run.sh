#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60; TARGETS="jsonl clean" picks some), one at a
# time and single-threaded, seeding the corpora from the repository's
# fixtures and pattern files. Exit status 1 if any target found a crash (see fuzz/artifacts/).
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and a nightly toolchain; without one, the stable
# toolchain is used with RUSTC_BOOTSTRAP=1 (cargo-fuzz passes nightly-only flags to rustc).
set -uo pipefail
secs="${1:-60}"
cd "$(dirname "$0")"
root=..

if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    fuzz=(cargo +nightly fuzz)
else
    export RUSTC_BOOTSTRAP=1
    fuzz=(cargo fuzz)
fi

# Seed corpora: documents for `clean`, pattern files for `patterns`, both for `rules_and_text`,
# documents as JSONL records for `jsonl` (a flag byte, then lines).
mkdir -p corpus/clean corpus/patterns corpus/rules_and_text corpus/jsonl
find "$root/fixtures" -type f -name '*.txt' -exec cp {} corpus/clean/ \;
find "$root/patterns" "$root/fixtures" -type f -name '*.toml' -exec cp {} corpus/patterns/ \;
n=0
for p in "$root"/patterns/*.toml; do
    for d in $(find "$root/fixtures" -type f -name '*.txt' | sort | head -n 8); do
        n=$((n + 1))
        { cat "$p"; printf '\0'; cat "$d"; } > "corpus/rules_and_text/seed-$n"
    done
done

n=0
command -v jq >/dev/null || echo "jq not found: corpus/jsonl starts empty"
for d in $(command -v jq >/dev/null && find "$root/fixtures" -type f -name '*.txt' | sort | head -n 40); do
    n=$((n + 1))
    {
        printf '%b' "\\x0$((n % 2))"
        jq -Rsc '{id: 1, text: ., meta: {src: "seed", n: [1, 2.5, null, true]}}' "$d"
        printf '\n{"removed":[],"text":"Body.\\nAdvertisement\\n","id":"x"}\r\n\n'
        jq -Rsc '{text: ., "é": "\u0000"}' "$d"
    } > "corpus/jsonl/seed-$n"
done

"${fuzz[@]}" build -O || exit 2
failed=0
for target in ${TARGETS:-clean patterns rules_and_text jsonl}; do
    echo "== $target: ${secs}s"
    if ! "${fuzz[@]}" run -O "$target" "corpus/$target" -- \
        -max_total_time="$secs" -timeout=10 -rss_limit_mb=4096 -max_len=65536 \
        -print_final_stats=1 2>"fuzz-$target.log"; then
        echo "!! $target failed: see fuzz/fuzz-$target.log and fuzz/artifacts/$target/"
        failed=1
    fi
    grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ *DONE)' "fuzz-$target.log" || true
done
exit "$failed"
