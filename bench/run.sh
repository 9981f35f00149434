#!/usr/bin/env bash
# Benchmarks reprint end to end and side by side with its peers, in one run.
#
#   bench/run.sh [--peer-docs N] [--big N] [--no-peers] [--dir DIR]
#
# 1. Generates a news-like corpus of --peer-docs articles (default 30,000; `reprint gen --seed 1
#    --max-edit-rate 0.15`: 20 % planted copies with 0-15 % of their words edited).
# 2. Runs, one thread each, under /usr/bin/time -v (whole process: wall time, peak RSS):
#    - the default `reprint scan` (quality, passage index, passages, relations);
#    - `reprint scan --no-quality --jaccard-only --no-passages`, the mode comparable with the
#      peers (Jaccard near-duplicates only);
#    - datasketch, gaoya and rensa through ../shared/bench/peers.py with the same 5-word
#      shingles and 128-slot signatures, 32 bands x 4 rows (rensa needs a band count that
#      divides 128; 32x4 is the valid shape nearest reprint's derived 30x3).
# 3. With --big N (default 1,000,000; 0 to skip), generates `reprint gen --docs N` and runs the
#    default scan on two threads with --timings.
# Prints one table. Runs are sequential: the machine is shared, so compare ratios from one run.
set -euo pipefail
cd "$(dirname "$0")/.."

peer_docs=30000
big=1000000
peers=1
dir=target/bench-run
while [ $# -gt 0 ]; do
  case "$1" in
    --peer-docs) peer_docs="$2"; shift 2 ;;
    --big) big="$2"; shift 2 ;;
    --no-peers) peers=0; shift ;;
    --dir) dir="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$dir"
results="$dir/results.jsonl"
: > "$results"

if [ ! -x /usr/bin/time ]; then
  apt-get update -qq && apt-get install -y -qq time
fi
cargo build --release --quiet
bin=target/release/reprint

corpus="$dir/news-$peer_docs.jsonl"
truth="$dir/truth-$peer_docs.jsonl"
[ -s "$corpus" ] || $bin gen --docs "$peer_docs" --seed 1 --max-edit-rate 0.15 -o "$corpus" --truth "$truth"

# mode name, then the flags of the mode
run_mode() {
  local name="$1" corpus="$2" docs="$3" threads="$4"; shift 4
  local out="$dir/out-$name-$docs-t$threads"
  /usr/bin/time -v -o "$out.time" $bin scan "$corpus" --threads "$threads" --timings --out "$out" "$@" \
    > "$out.summary" 2> "$out.stderr"
  local truth_args=()
  [ -s "$truth" ] && [ "$corpus" = "$dir/news-$peer_docs.jsonl" ] && truth_args=(--truth "$truth" --pairs "$out/pairs.jsonl")
  python3 bench/table.py record --mode "$name" --time "$out.time" --stderr "$out.stderr" \
    --corpus "$corpus" --docs "$docs" --threads "$threads" "${truth_args[@]}" >> "$results"
}

run_mode default "$corpus" "$peer_docs" 1
run_mode comparable "$corpus" "$peer_docs" 1 --no-quality --jaccard-only --no-passages

if [ "$peers" = 1 ]; then
  peers_py=../shared/bench/peers.py
  if [ ! -f "$peers_py" ]; then
    echo "no $peers_py: skipping peers" >&2
  else
    venv=target/venv-peers
    if [ ! -x "$venv/bin/python" ]; then
      python3 -m venv "$venv"
      "$venv/bin/pip" install -q datasketch gaoya rensa numpy scipy psutil xxhash
    fi
    rm -f "$dir/peers.jsonl"
    "$venv/bin/python" "$peers_py" --corpus "$corpus" --truth "$truth" --peer all --threads 1 \
      --bands 32 --rows 4 --json "$dir/peers.jsonl" > "$dir/peers.log"
  fi
fi

if [ "$big" != 0 ]; then
  big_corpus="$dir/gen-$big.jsonl"
  [ -s "$big_corpus" ] || $bin gen --docs "$big" -o "$big_corpus"
  run_mode default "$big_corpus" "$big" 2
fi

python3 bench/table.py table --results "$results" --peers "$dir/peers.jsonl"
