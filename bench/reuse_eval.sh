#!/usr/bin/env bash
# Runs bench/reuse_eval.py (relations on the Clough & Stevenson graded reuse corpus in
# ../shared) with a virtualenv that has xlrd. Extra arguments go to `reprint pairs`.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
venv=target/venv-peers
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c "import xlrd" 2>/dev/null || "$venv/bin/pip" install -q xlrd
"$venv/bin/python" bench/reuse_eval.py "$@"
