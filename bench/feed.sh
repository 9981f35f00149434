#!/usr/bin/env bash
# Feed mode against batch scan on one corpus, in one run (the machine is shared: compare the
# ratios). Prints docs/s, MB/s and peak RSS of `scan` and of `index add` into a new index, the
# ratio, the index's size per document, then the latency of one-article queries against it and
# the time to expire its older half.
#
#   bench/feed.sh CORPUS.jsonl [QUERIES]        # e.g. a `reprint gen --docs 100000` corpus
#
# Not part of `cargo test`; writes under target/feed-bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:?usage: bench/feed.sh CORPUS.jsonl [QUERIES]}
queries=${2:-1000}
cargo build --release -q
cargo build --release -q --example feed_query_bench
out=target/feed-bench
mkdir -p "$out"
db="$out/index.redb"
rm -f "$db"
docs=$(wc -l < "$corpus")
bytes=$(stat -c %s "$corpus")

measure() { # NAME COMMAND...: wall seconds and peak RSS (MB) of COMMAND, stdout dropped
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$out/$name.time" "$@" > /dev/null
  read -r secs kb < "$out/$name.time"
  printf '%-10s %8.1f s %9.0f docs/s %7.1f MB/s %7.0f MB peak RSS\n' "$name" "$secs" \
    "$(echo "$docs / $secs" | bc -l)" "$(echo "$bytes / 1048576 / $secs" | bc -l)" \
    "$(echo "$kb / 1024" | bc -l)"
}

measure scan target/release/reprint scan "$corpus"
measure index-add target/release/reprint index add "$db" "$corpus"
read -r scan_s _ < "$out/scan.time"
read -r add_s _ < "$out/index-add.time"
printf 'index add runs at %.0f %% of scan throughput\n' "$(echo "100 * $scan_s / $add_s" | bc -l)"
target/release/reprint index stats "$db" | python3 -c '
import json, sys
s = json.load(sys.stdin)
n = s["documents"]
print("index: %d documents, %d segments, %.0f bytes per document, %.0f without the texts (texts %.0f)"
      % (n, s["segments"], s["bytes_per_document"], s["bytes_per_document_without_texts"], s["text_bytes"] / n))
print("tables:", ", ".join("%s %.0f" % (k, v / n) for k, v in sorted(s["tables"].items())), "bytes per document")'
echo "queries of indexed articles under new ids:"
target/release/examples/feed_query_bench "$db" "$corpus" "$queries"
# The older half: the median date of the corpus.
median=$(python3 -c '
import json, sys
dates = sorted(json.loads(l).get("date") or "" for l in open(sys.argv[1]))
print(dates[len(dates) // 2][:19])' "$corpus")
measure expire target/release/reprint index expire "$db" --before "$median"
target/release/reprint index check "$db"
