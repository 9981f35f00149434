#!/usr/bin/env bash
# HTML pages, reprint beside Python trafilatura, one core each, in one run.
#
#   bench/html.sh [--pages N] [--threads T]
#
# Takes the first N pages (default: all 1,497) of the WCXB development split
# (../shared/data/wcxb-dev/dev/html/*.html.gz) into target/bench-html/pages/ and times:
#   - `reprint dedup --strip-boilerplate --threads 1` over the folder: the whole job, every
#     page read, decompressed, parsed and extracted once, its quality assessed, the pages
#     deduplicated and the kept texts written without boilerplate lines (/usr/bin/time -v,
#     the whole process);
#   - Python trafilatura's `extract` on the same pages, one process, one core
#     (bench/trafilatura_time.py: the extraction loop, reading and decompressing included;
#     interpreter start-up and imports excluded).
# With --threads T (T > 1) reprint also runs on T threads. Needs ../shared; not part of
# `cargo test`. Prints pages per second per core for each and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."

pages=0
threads=1
while [ $# -gt 0 ]; do
  case "$1" in
    --pages) pages="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
source_dir=../shared/data/wcxb-dev/dev/html
if [ ! -d "$source_dir" ]; then
  echo "no $source_dir: this benchmark needs the shared WCXB data" >&2
  exit 1
fi
if [ ! -x /usr/bin/time ]; then
  apt-get update -qq && apt-get install -y -qq time
fi
dir=target/bench-html
rm -rf "$dir/pages"
mkdir -p "$dir/pages"
mapfile -t all < <(find "$source_dir" -name '*.html.gz' | sort)
[ "$pages" = 0 ] && pages=${#all[@]}
cp -t "$dir/pages" "${all[@]:0:$pages}"
count=$(find "$dir/pages" -name '*.html.gz' | wc -l)
mib=$(du -sm --apparent-size "$dir/pages" | cut -f1)

venv=target/venv-peers
if ! "$venv/bin/python" -c 'import trafilatura' 2>/dev/null; then
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install -q trafilatura lxml_html_clean
fi
cargo build --release --quiet
bin=target/release/reprint

time_reprint() {
  local t="$1"
  /usr/bin/time -v -o "$dir/reprint-t$t.time" $bin dedup "$dir/pages" --strip-boilerplate \
    --threads "$t" --output "$dir/dedup-t$t.jsonl" 2> "$dir/reprint-t$t.stderr"
  python3 - "$dir/reprint-t$t.time" "$count" "$t" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
wall = 0.0
for part in re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text).group(1).split(":"):
    wall = wall * 60 + float(part)
cpu = sum(float(re.search(f"{k} time \\(seconds\\): (\\S+)", text).group(1)) for k in ("User", "System"))
peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1)) / 1024
pages, threads = int(sys.argv[2]), int(sys.argv[3])
# Pages are read and decompressed on a reader thread of their own, so a run may use a little
# more CPU than its threads' wall time: per core counts the larger.
spent = max(wall * threads, cpu)
print(f"reprint dedup --strip-boilerplate, {threads} thread(s): {wall:.1f} s wall, {cpu:.1f} s CPU, "
      f"peak RSS {peak:.0f} MB, {pages / spent:.1f} pages/s per core")
open(sys.argv[1] + ".wall", "w").write(f"{spent}")
PY
}

echo "$count pages, $mib MiB gzipped"
time_reprint 1
"$venv/bin/python" bench/trafilatura_time.py "$dir/pages" > "$dir/trafilatura.json"
python3 - "$dir/trafilatura.json" "$dir/reprint-t1.time.wall" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
ours = float(open(sys.argv[2]).read())  # the larger of wall and CPU seconds
theirs = max(t['wall_s'], t['cpu_s'])
print(f"trafilatura {t['version']} extract, 1 core: {t['wall_s']} s wall, {t['cpu_s']} s CPU, "
      f"peak RSS {t['peak_mb']} MB, {t['pages'] / theirs:.1f} pages/s per core "
      f"({t['with_text']} pages with text)")
print(f"reprint per core: {theirs / ours:.2f}x trafilatura's pages per second")
PY
if [ "$threads" -gt 1 ]; then
  time_reprint "$threads"
fi
