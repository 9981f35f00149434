"""The Python package's MinHash and MinHashLSH beside datasketch's, on one corpus, in one run
(the machine is shared: compare the ratios). Each document's distinct words are its set.

    target/py/bin/python bench/python_minhash.py CORPUS.jsonl [DOCS]

Prints documents per second for sketching (update_batch) and for LSH insert + query, and the
peak RSS of the process after each library (ru_maxrss; the second library's figure includes
the first's peak). Needs `pip install ./python datasketch`.
"""

import json
import resource
import sys
import time

import datasketch

import reprint


def main():
    path, limit = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    docs = []
    with open(path) as f:
        for line in f:
            if len(docs) == limit:
                break
            record = json.loads(line)
            docs.append([w.encode() for w in set(record["text"].lower().split())])
    words = sum(len(d) for d in docs)
    print(f"{len(docs)} documents, {words / len(docs):.0f} distinct words each")
    for module in (reprint, datasketch):
        start = time.perf_counter()
        sketches = []
        for d in docs:
            m = module.MinHash(num_perm=128)
            m.update_batch(d)
            sketches.append(m)
        sketched = time.perf_counter()
        lsh = module.MinHashLSH(threshold=0.5, num_perm=128)
        found = 0
        for i, m in enumerate(sketches):
            found += len(lsh.query(m))
            lsh.insert(i, m)
        done = time.perf_counter()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{module.__name__:10} sketch {len(docs) / (sketched - start):9.0f} docs/s   "
              f"lsh insert+query {len(docs) / (done - sketched):9.0f} docs/s   "
              f"{found} candidates   peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
