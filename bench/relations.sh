#!/usr/bin/env bash
# What the syndication features cost: `reprint scan` on a generated corpus in which 30 % of
# the articles reuse another (copies with up to 10 % edits, 40 % of them cut and 30 % wrapped in
# outlet lines, plus paragraph lifts), in three modes, alternating, several rounds:
#
#   default                      passage index + relations + passages (everything)
#   --no-passages                the same without aligning pairs that are copies by Jaccard
#   --jaccard-only --no-passages Jaccard LSH candidates only (closest to the core pipeline)
#
# With BASE_REV=<git revision>, that revision's binary is built in a temporary worktree and
# timed too (e.g. the last commit before the relations existed).
#
#   bench/relations.sh [--docs N] [--rounds R] [--threads T]
#
# Prints wall time, user time and peak RSS per run and the median ratios per round.
set -euo pipefail
cd "$(dirname "$0")/.."

docs=100000
rounds=3
threads=0
while [ $# -gt 0 ]; do
  case "$1" in
    --docs) docs="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
if [ ! -x /usr/bin/time ]; then
  apt-get update -qq && apt-get install -y -qq time
fi
cargo build --release --quiet
bin=target/release/reprint
dir=target/bench-relations
mkdir -p "$dir"
corpus="$dir/reuse-$docs.jsonl"
[ -s "$corpus" ] || $bin gen --docs "$docs" --seed 7 --copy-rate 0.25 --max-edit-rate 0.1 \
  --truncate-rate 0.4 --boilerplate-rate 0.3 --lift-rate 0.07 -o "$corpus" >&2

modes=("default" "no-passages" "jaccard-only")
base_bin=""
if [ -n "${BASE_REV:-}" ]; then
  worktree="$dir/base-$BASE_REV"
  [ -d "$worktree" ] || git worktree add -f "$worktree" "$BASE_REV" >&2
  (cd "$worktree" && cargo build --release --quiet)
  base_bin="$worktree/target/release/reprint"
  modes+=("base")
fi

results="$dir/results.txt"
: > "$results"
for round in $(seq 1 "$rounds"); do
  for mode in "${modes[@]}"; do
    case "$mode" in
      default) cmd=("$bin" scan "$corpus") ;;
      no-passages) cmd=("$bin" scan "$corpus" --no-passages) ;;
      jaccard-only) cmd=("$bin" scan "$corpus" --no-passages --jaccard-only) ;;
      base) cmd=("$base_bin" scan "$corpus") ;;
    esac
    /usr/bin/time -f "$round $mode %e %U %M" -o "$dir/time" "${cmd[@]}" --threads "$threads" > /dev/null
    cat "$dir/time" | tee -a "$results"
  done
done
python3 - "$results" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
by_round = {}
for r, mode, wall, user, rss in rows:
    by_round.setdefault(r, {})[mode] = (float(wall), float(user), int(rss))
modes = list(next(iter(by_round.values())).keys())
print(f"\n{'mode':<14} {'median wall s':>13} {'median user s':>13} {'peak RSS MB':>11}  median ratio to default (wall, user)")
for mode in modes:
    walls = [v[mode][0] for v in by_round.values()]
    users = [v[mode][1] for v in by_round.values()]
    rss = max(v[mode][2] for v in by_round.values()) / 1024
    ratio_wall = statistics.median(v["default"][0] / v[mode][0] for v in by_round.values())
    ratio_user = statistics.median(v["default"][1] / v[mode][1] for v in by_round.values())
    print(f"{mode:<14} {statistics.median(walls):>13.2f} {statistics.median(users):>13.2f} {rss:>11.0f}  default is {ratio_wall:.2f}x, {ratio_user:.2f}x")
PY
