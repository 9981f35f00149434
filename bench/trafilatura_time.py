#!/usr/bin/env python3
"""Times Python trafilatura extracting the main text of every page in a folder of .html or
.html.gz files, on one core, and prints one JSON line: pages, seconds of wall time for the
extraction loop (reading and decompressing included), CPU seconds, and the process's peak RSS.
Used by bench/html.sh."""
import gzip
import json
import os
import resource
import sys
import time

import trafilatura


def main():
    folder = sys.argv[1]
    names = sorted(n for n in os.listdir(folder) if n.endswith((".html", ".html.gz", ".htm")))
    cpu0, wall0 = time.process_time(), time.perf_counter()
    extracted = 0
    for name in names:
        path = os.path.join(folder, name)
        opener = gzip.open if name.endswith(".gz") else open
        with opener(path, "rb") as f:
            html = f.read().decode("utf-8", "replace")
        if trafilatura.extract(html):
            extracted += 1
    wall = time.perf_counter() - wall0
    cpu = time.process_time() - cpu0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"tool": "trafilatura", "version": trafilatura.__version__, "pages": len(names),
                      "with_text": extracted, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
                      "peak_mb": round(peak_mb)}))


if __name__ == "__main__":
    main()
