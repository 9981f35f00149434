#!/usr/bin/env bash
# Large groups of copies and huge records, each run under /usr/bin/time -v (wall time and peak
# RSS of the whole process), on 2 threads:
#
#   bench/limits.sh [--million]
#
#   1. 50,000 copies of one generated article (every tenth upper-cased, so its bytes differ):
#      the default scan, which compares identical texts once.
#   2. 2,000 near-copies of one article (one word changed in each): the default scan, then
#      --all-pairs (every pair, quadratic).
#   3. One record of 187 MiB (generated articles joined by blank lines) beside a short one,
#      under --max-doc-bytes 256M: with quality, and with --no-quality.
#   4. With --million: 1,000,000 generated articles (`reprint gen`, as bench/run.sh), then the same
#      with 30 % of the records replaced by 300 texts, 1,000 copies each, both scanned.
#
# Inputs are generated under target/bench-limits/ by `reprint gen` and python3 (standard
# library only); nothing from ../shared is needed.
set -euo pipefail
cd "$(dirname "$0")/.."

million=0
[ "${1:-}" = "--million" ] && million=1
cargo build --release --quiet
bin=target/release/reprint
dir=target/bench-limits
mkdir -p "$dir"

measure() {
  local label="$1"
  shift
  /usr/bin/time -v "$@" --threads 2 -o "$dir/out" > /dev/null 2> "$dir/time.txt"
  local wall rss
  wall=$(grep "Elapsed (wall clock)" "$dir/time.txt" | awk '{print $NF}')
  rss=$(grep "Maximum resident set size" "$dir/time.txt" | awk '{print $NF}')
  printf '%-58s %10s %10.0f MB\n' "$label" "$wall" "$(echo "$rss / 1024" | bc -l)"
  rm -rf "$dir/out"
}

[ -f "$dir/gen2k.jsonl" ] || "$bin" gen --docs 2000 --seed 7 -o "$dir/gen2k.jsonl"
python3 - "$dir" <<'EOF'
import json, random, sys
dir = sys.argv[1]
first = json.loads(open(f"{dir}/gen2k.jsonl").readline())
text = first["text"]
with open(f"{dir}/copies50k.jsonl", "w") as out:
    for i in range(50_000):
        out.write(json.dumps({"id": f"c{i:05}", "text": text.upper() if i % 10 == 0 else text}) + "\n")
words = text.split(" ")
with open(f"{dir}/near2k.jsonl", "w") as out:
    for i in range(2_000):
        edited = list(words)
        edited[random.Random(i).randrange(len(edited))] = f"x{i}"
        out.write(json.dumps({"id": f"n{i:04}", "text": " ".join(edited)}) + "\n")
texts, size = [], 0
with open(f"{dir}/gen2k.jsonl") as f:
    lines = [json.loads(l)["text"] for l in f]
while size < 187 << 20:
    for t in lines:
        texts.append(t)
        size += len(t.encode()) + 2
        if size >= 187 << 20:
            break
huge = "\n\n".join(texts)
with open(f"{dir}/huge187.jsonl", "w") as out:
    out.write(json.dumps({"id": "huge", "text": huge}) + "\n")
    out.write(json.dumps({"id": "small", "text": "one two three four five six seven"}) + "\n")
EOF

printf '%-58s %10s %13s\n' "run" "wall" "peak RSS"
measure "50,000 copies of one text" "$bin" scan "$dir/copies50k.jsonl"
measure "2,000 near-copies" "$bin" scan "$dir/near2k.jsonl"
measure "2,000 near-copies, --all-pairs" "$bin" scan "$dir/near2k.jsonl" --all-pairs
measure "one 187 MiB record, --max-doc-bytes 256M" "$bin" scan "$dir/huge187.jsonl" --max-doc-bytes 256M
measure "one 187 MiB record, --max-doc-bytes 256M --no-quality" "$bin" scan "$dir/huge187.jsonl" --max-doc-bytes 256M --no-quality

if [ "$million" = 1 ]; then
  [ -f "$dir/gen1m.jsonl" ] || "$bin" gen --docs 1000000 -o "$dir/gen1m.jsonl"
  python3 - "$dir" <<'EOF'
import json, sys
dir = sys.argv[1]
texts = []
with open(f"{dir}/gen1m.jsonl") as f:
    for i, line in enumerate(f):
        if i >= 300:
            break
        texts.append(json.loads(line)["text"])
with open(f"{dir}/gen1m.jsonl") as f, open(f"{dir}/gen1m_groups.jsonl", "w") as out:
    for i, line in enumerate(f):
        if i % 10 < 3 and i >= 300:
            record = json.loads(line)
            record["text"] = texts[(i // 10) % 300]
            out.write(json.dumps(record) + "\n")
        else:
            out.write(line)
EOF
  measure "1,000,000 generated articles" "$bin" scan "$dir/gen1m.jsonl"
  measure "the same, 30 % in 300 groups of 1,000 identical copies" "$bin" scan "$dir/gen1m_groups.jsonl"
fi
