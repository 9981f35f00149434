#!/usr/bin/env bash
# Seeds the fuzz corpora (fuzz/corpus/, never committed: the pages belong to their publishers)
# from the benchmark pages in ../shared (every sixth page, its first 64 KiB, so that a run
# gets through its seeds in minutes), and the block analysis from WCXB gold texts.
#
#   fuzz/seed.sh
#   cargo +nightly fuzz run -O html -- -max_total_time=600 -max_len=65536 -rss_limit_mb=4096
set -euo pipefail
cd "$(dirname "$0")"
shared=../../shared/data
mkdir -p corpus/html corpus/record corpus/quality
n=0
i=0
for page in "$shared"/scrapinghub-article-extraction-benchmark/html/*.html.gz \
            "$shared"/wcxb-dev/dev/html/*.html.gz; do
  [[ -e "$page" ]] || continue
  i=$((i + 1))
  (( i % 6 == 0 )) || continue
  name=$(basename "$page" .html.gz)
  zcat "$page" | head -c 65536 > "corpus/html/$name"
  # The record target reads its first byte as the kind of record: 2 is an HTML page.
  { printf '\x02'; zcat "$page" | head -c 65536; } > "corpus/record/$name"
  n=$((n + 1))
done
python3 - "$shared" <<'PY'
import json, os, sys
shared = sys.argv[1]
gold = os.path.join(shared, "wcxb-dev/dev/ground-truth")
for name in sorted(os.listdir(gold))[:400]:
    with open(os.path.join(gold, name)) as f:
        text = json.load(f)["ground_truth"].get("main_content") or ""
    with open(os.path.join("corpus/quality", name), "w") as out:
        out.write(text)
PY
echo "seeded $n pages"
# The report folder target: the files of a scan of the sample corpus, cut by 0xFF bytes.
mkdir -p corpus/report_folder
scan=$(mktemp -d)
cargo run --quiet --release --manifest-path ../Cargo.toml -- scan ../corpus --out "$scan" > /dev/null
{
  for f in scan.json docs.jsonl pairs.jsonl clusters.jsonl outlets.jsonl texts.jsonl; do
    cat "$scan/$f"; printf '\xff'
  done
} > corpus/report_folder/sample
rm -rf "$scan"
