#!/usr/bin/env bash
# The HTML report on one corpus, in one run (the machine is shared: compare the ratios): docs/s,
# MB/s and peak RSS of `scan` without output, with the JSONL files only (--no-report), and with
# the report; `reprint report` alone; the page's size; then the page in headless Chromium
# (examples/report_load.rs): milliseconds to interactive and to filter, open a cluster and a
# pair view.
#
#   bench/report.sh CORPUS [RUNS]        # e.g. corpus/ or a `reprint gen --docs 100000` corpus
#
# Not part of `cargo test`; writes under target/report-bench/. Needs Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:?usage: bench/report.sh CORPUS [RUNS]}
runs=${2:-3}
cargo build --release -q
cargo build --release -q --example report_load
out=target/report-bench
rm -rf "$out"
mkdir -p "$out"
# A first scan warms the page cache and counts the records.
target/release/reprint scan "$corpus" --out "$out/count" --no-report > /dev/null
docs=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["stats"]["records"])' "$out/count/scan.json")
bytes=$(du -sbL "$corpus" | cut -f1)

measure() { # NAME COMMAND...: wall seconds and peak RSS (MB) of COMMAND, stdout dropped
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$out/$name.time" "$@" > /dev/null 2>&1
  read -r secs kb < "$out/$name.time"
  secs=$(echo "if ($secs < 0.01) 0.01 else $secs" | bc -l)
  printf '%-12s %7.2f s %9.0f docs/s %7.1f MB/s %7.0f MB peak RSS\n' "$name" "$secs" \
    "$(echo "$docs / $secs" | bc -l)" "$(echo "$bytes / 1048576 / $secs" | bc -l)" \
    "$(echo "$kb / 1024" | bc -l)"
}

measure scan target/release/reprint scan "$corpus"
measure no-report target/release/reprint scan "$corpus" --out "$out/plain" --no-report
measure with-report target/release/reprint scan "$corpus" --out "$out/scan"
measure report target/release/reprint report "$out/scan" -o "$out/again.html"
cmp "$out/scan/report.html" "$out/again.html" && echo "reprint report rebuilt the same bytes"
printf 'report.html %.1f MB; texts.jsonl %.1f MB (%d texts)\n' \
  "$(echo "$(stat -c %s "$out/scan/report.html") / 1000000" | bc -l)" \
  "$(echo "$(stat -c %s "$out/scan/texts.jsonl") / 1000000" | bc -l)" \
  "$(wc -l < "$out/scan/texts.jsonl")"
target/release/examples/report_load "$out/scan/report.html" "$runs"
