#!/usr/bin/env bash
# Article Extraction Benchmark (../shared): scores reprint's HTML mode (extraction, then
# boilerplate lines removed), text-only mode (the page flattened to text lines, then reprint's
# line rules alone), the extractor alone and the flattened page, next to the stored outputs
# of other tools. Needs ../shared; not part of `cargo test`.
#
#   bench/aeb.sh            # reprint's four modes
#   bench/aeb.sh --all      # ... and every stored tool
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q --example aeb_extract
for mode in html text extractor page; do
  target/release/examples/aeb_extract "target/aeb-reprint-$mode.json" "$mode"
done
files=(target/aeb-reprint-{html,text,extractor,page}.json)
if [[ "${1:-}" == "--all" ]]; then
  files+=(../shared/data/scrapinghub-article-extraction-benchmark/output/*.json)
fi
python3 bench/aeb_eval.py "${files[@]}"
