#!/usr/bin/env bash
# Benchmarks reprint end to end and side by side with its peers.
#
#   bench/run.sh [--docs N]... [--peer-docs N] [--no-peers] [--dir DIR]
#
# Generates news-like corpora (default 100,000 and 1,000,000 articles), runs `reprint scan`
# under /usr/bin/time -v at 1 and 2 threads (wall time, peak RSS), runs datasketch, gaoya and
# rensa through ../shared/bench/peers.py on the --peer-docs corpus (default 100,000) with the
# same 5-word shingles and 128-slot signatures, one thread each, and prints one table. The
# peers get 32 bands x 4 rows: rensa needs a band count that divides 128, and 32x4 is the
# valid shape nearest reprint's derived 30x3.
# Runs are sequential: the machine is shared, so compare ratios from one run.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=()
peer_docs=100000
peers=1
dir=target/bench-run
while [ $# -gt 0 ]; do
  case "$1" in
    --docs) sizes+=("$2"); shift 2 ;;
    --peer-docs) peer_docs="$2"; shift 2 ;;
    --no-peers) peers=0; shift ;;
    --dir) dir="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000)
mkdir -p "$dir"
results="$dir/results.jsonl"
: > "$results"

if [ ! -x /usr/bin/time ]; then
  apt-get update -qq && apt-get install -y -qq time
fi
cargo build --release --quiet
bin=target/release/reprint

# The LSH shape reprint derives for threshold 0.5 with 128 hashes; peers get the same.
shape=$(printf '{"id":"a","text":"one two three four five six"}\n' | $bin scan - | sed -n 's/.* \([0-9]*\) bands x \([0-9]*\) rows.*/\1 \2/p')
read -r bands rows <<< "$shape"

for n in "${sizes[@]}"; do
  corpus="$dir/news-$n.jsonl"
  truth="$dir/truth-$n.jsonl"
  if [ ! -s "$corpus" ]; then
    /usr/bin/time -f "%e" -o "$dir/gen-$n.time" $bin gen --docs "$n" --seed 1 --max-edit-rate 0.15 -o "$corpus" --truth "$truth"
    echo "{\"tool\":\"reprint gen\",\"docs\":$n,\"threads\":0,\"wall_s\":$(cat "$dir/gen-$n.time")}" >> "$results"
  fi
  for threads in 1 2; do
    out="$dir/out-$n-t$threads"
    /usr/bin/time -v -o "$dir/time-$n-t$threads.txt" $bin scan "$corpus" --threads "$threads" --out "$out" > "$out.summary"
    exact=()
    [ "$n" = "$peer_docs" ] && [ "$threads" = 1 ] && exact=(--exact)
    python3 bench/table.py record --time "$dir/time-$n-t$threads.txt" --corpus "$corpus" --truth "$truth" \
      --pairs "$out/pairs.jsonl" --docs "$n" --threads "$threads" "${exact[@]}" >> "$results"
  done
done

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
    corpus="$dir/news-$peer_docs.jsonl"
    truth="$dir/truth-$peer_docs.jsonl"
    [ -s "$corpus" ] || $bin gen --docs "$peer_docs" --seed 1 --max-edit-rate 0.15 -o "$corpus" --truth "$truth"
    rm -f "$dir/peers.jsonl"
    "$venv/bin/python" "$peers_py" --corpus "$corpus" --truth "$truth" --peer all --threads 1 \
      --bands 32 --rows 4 --json "$dir/peers.jsonl" | tee "$dir/peers.log"
  fi
fi

python3 bench/table.py table --results "$results" --peers "$dir/peers.jsonl" --bands "$bands" --rows "$rows"
