#!/usr/bin/env bash
# WCXB development split (../shared/data/wcxb-dev): reprint's clean text of every page
# (`reprint score --clean-text`, nothing deduplicated) scored by the split's own evaluate.py
# (word F1 per page type). Needs ../shared; not part of `cargo test`.
#
#   bench/wcxb.sh            # all types, and per type
set -euo pipefail
cd "$(dirname "$0")/.."
data=../shared/data/wcxb-dev
if [[ ! -d "$data" ]]; then
  echo "no $data: this benchmark needs the shared WCXB data" >&2
  exit 2
fi
cargo build --release -q
mkdir -p target/wcxb
target/release/reprint score "$data/dev/html" --clean-text -o target/wcxb/scores.jsonl
# The evaluator wants {"0001": "clean text", ...}, keyed by the page number.
python3 - <<'PY'
import json, os
results = {}
with open("target/wcxb/scores.jsonl") as lines:
    for line in lines:
        record = json.loads(line)
        page = os.path.basename(record["id"]).split(".")[0]
        results[page] = record.get("clean_text") or ""
with open("target/wcxb/results.json", "w") as out:
    json.dump(results, out)
PY
cd "$data" && python3 evaluate.py --split dev --results "$OLDPWD/target/wcxb/results.json" --per-type
